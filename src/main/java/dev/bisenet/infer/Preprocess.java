package dev.bisenet.infer;

/**
 * Turns 8-bit RGB pixels into the network's input: RGB / 255, then (x - mean) / std, laid out
 * CHW, zero-padded at the bottom and right to multiples of 32 (the padding is applied after
 * normalisation, as the reference does, so padded pixels are exactly 0). The float crop and
 * the size rule are in {@link Padding}.
 */
public final class Preprocess {

    private Preprocess() {}

    /**
     * Writes one image into {@code out} at image slot {@code slot} of a (n, 3, ph, pw) batch.
     *
     * @param rgb interleaved RGB bytes, h x w
     * @param out batch buffer, at least (slot + 1) * 3 * ph * pw floats; pad areas are zeroed here
     */
    public static void normalise(byte[] rgb, int h, int w, float[] mean, float[] std,
            float[] out, int slot, int ph, int pw) {
        if (ph < h || pw < w) {
            throw new IllegalArgumentException("padded size " + ph + "x" + pw + " is smaller than " + h + "x" + w);
        }
        int plane = ph * pw;
        int base = slot * 3 * plane;
        for (int c = 0; c < 3; c++) {
            float scale = 1f / (255f * std[c]);
            float shift = -mean[c] / std[c];
            int o = base + c * plane;
            for (int y = 0; y < h; y++) {
                int src = y * w * 3 + c;
                int dst = o + y * pw;
                for (int x = 0; x < w; x++) {
                    out[dst + x] = (rgb[src + 3 * x] & 0xff) * scale + shift;
                }
                java.util.Arrays.fill(out, dst + w, dst + pw, 0f);
            }
            java.util.Arrays.fill(out, o + h * pw, o + plane, 0f);
        }
    }

    /** Copies the top-left h x w of each of {@code planes} label planes (ph x pw): undoes the padding. */
    public static int[] crop(int[] src, int planes, int ph, int pw, int h, int w) {
        if (ph == h && pw == w) {
            return src;
        }
        int[] dst = new int[planes * h * w];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (p * ph + y) * pw, dst, (p * h + y) * w, w);
            }
        }
        return dst;
    }
}
