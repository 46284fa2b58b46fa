package dev.bisenet.infer.video;

/**
 * Blends a colour per class over a frame: {@code out = (1 - alpha) * pixel + alpha * colour},
 * in 8-bit integer arithmetic. Labels outside the palette (such as the ignore index 255) leave
 * the pixel unchanged.
 */
public final class Renderer {

    private final int[] palette;
    private final int alpha256;

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
        this.alpha256 = (int) Math.round(alpha * 256);
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
        int keep = 256 - alpha256;
        for (int i = 0, p = 0; i < labels.length; i++, p += 3) {
            int k = labels[i];
            if (k < 0 || k >= palette.length) {
                out[p] = rgb[p];
                out[p + 1] = rgb[p + 1];
                out[p + 2] = rgb[p + 2];
                continue;
            }
            int c = palette[k];
            // +128 rounds to nearest
            out[p] = (byte) (((rgb[p] & 0xFF) * keep + ((c >> 16) & 0xFF) * alpha256 + 128) >> 8);
            out[p + 1] = (byte) (((rgb[p + 1] & 0xFF) * keep + ((c >> 8) & 0xFF) * alpha256
                    + 128) >> 8);
            out[p + 2] = (byte) (((rgb[p + 2] & 0xFF) * keep + (c & 0xFF) * alpha256 + 128) >> 8);
        }
        return out;
    }
}
