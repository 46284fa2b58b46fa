package dev.bisenet.image;

/**
 * The one overlay blend, for images and video frames alike:
 * {@code out = (1 - alpha) * pixel + alpha * colour}, in 8-bit fixed point rounded to nearest.
 * Pixels whose label has no colour keep the image's value.
 */
public final class Overlay {

    private Overlay() {}

    /**
     * @param rgb interleaved RGB, shape (h, w, 3)
     * @param labels class per pixel, shape (h, w)
     * @param palette colour per class, packed 0xRRGGBB
     * @param alpha weight of the class colour, in [0, 1]
     * @param out interleaved RGB, shape (h, w, 3); may be {@code rgb} itself
     */
    public static void blend(byte[] rgb, int[] labels, int[] palette, double alpha, byte[] out) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        if (rgb.length != 3 * labels.length || out.length != rgb.length) {
            throw new IllegalArgumentException(rgb.length / 3 + " pixels but " + labels.length + " labels");
        }
        int a = (int) Math.round(alpha * 256);
        int keep = 256 - a;
        for (int i = 0, p = 0; i < labels.length; i++, p += 3) {
            int k = labels[i];
            if (k < 0 || k >= palette.length) {
                out[p] = rgb[p];
                out[p + 1] = rgb[p + 1];
                out[p + 2] = rgb[p + 2];
                continue;
            }
            int c = palette[k];
            out[p] = (byte) (((rgb[p] & 0xff) * keep + (c >> 16 & 0xff) * a + 128) >> 8);
            out[p + 1] = (byte) (((rgb[p + 1] & 0xff) * keep + (c >> 8 & 0xff) * a + 128) >> 8);
            out[p + 2] = (byte) (((rgb[p + 2] & 0xff) * keep + (c & 0xff) * a + 128) >> 8);
        }
    }
}
