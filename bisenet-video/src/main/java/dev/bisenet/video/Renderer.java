package dev.bisenet.video;

import dev.bisenet.image.Overlay;

/**
 * Blends a colour per class over a frame: {@code out = (1 - alpha) * pixel + alpha * colour},
 * in 8-bit integer arithmetic. Labels outside the palette (such as the ignore index 255) leave
 * the pixel unchanged.
 */
public final class Renderer {

    private final int[] palette;
    private final double alpha;

    /**
     * @param palette colour per class as {@code 0xRRGGBB}
     * @param alpha weight of the class colour, in [0, 1]
     */
    public Renderer(int[] palette, double alpha) {
        if (palette.length == 0) {
            throw new IllegalArgumentException("palette is empty");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        this.palette = palette.clone();
        // 8 fractional bits: exact at 0 and 1, within 1/512 elsewhere
        this.alpha = alpha;
    }

    /** Number of colours in the palette. */
    public int numColours() {
        return palette.length;
    }

    /**
     * Renders the overlay of one frame.
     *
     * @param labels class per pixel, shape (height, width)
     * @return RGB interleaved, shape (height, width, 3)
     */
    public byte[] render(Frame frame, int[] labels) {
        byte[] rgb = frame.rgb();
        if (labels.length * 3 != rgb.length) {
            throw new IllegalArgumentException("frame " + frame.index() + " has "
                    + rgb.length / 3 + " pixels but " + labels.length + " labels");
        }
        byte[] out = new byte[rgb.length];
        Overlay.blend(rgb, labels, palette, alpha, out);
        return out;
    }
}
