package dev.bisenet.image;

/**
 * Turns 8-bit RGB pixels into the network's input: RGB / 255, then (x - mean) / std, laid out
 * CHW, zero-padded at the bottom and right to multiples of 32 (the padding is applied after
 * normalisation, as the reference does, so padded pixels are exactly 0). The float crop and
 * the size rule are in {@link Padding}. The one pad-and-normalise of the project: images, batches,
 * evaluation, calibration and video frames all go through it.
 */
public final class Preprocess {

    private final float[][] table = new float[3][256]; // channel, byte value -> network input

    /**
     * @param mean per-channel mean of RGB/255
     * @param std per-channel standard deviation of RGB/255, positive
     */
    public Preprocess(float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B), got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + java.util.Arrays.toString(std));
            }
            for (int v = 0; v < 256; v++) {
                table[c][v] = (v / 255f - mean[c]) / std[c]; // the reference's ToTensor, then Normalize
            }
        }
    }

    /**
     * Writes one image into {@code out} at image slot {@code slot} of a (n, 3, ph, pw) batch.
     * Pad areas are rewritten every time, so {@code out} may be a reused buffer.
     *
     * @param rgb interleaved RGB bytes, h x w
     * @param out batch buffer, at least (slot + 1) * 3 * ph * pw floats
     */
    public void into(byte[] rgb, int h, int w, float[] out, int slot, int ph, int pw) {
        if (ph < h || pw < w) {
            throw new IllegalArgumentException("padded size " + ph + "x" + pw + " is smaller than " + h + "x" + w);
        }
        int plane = ph * pw;
        int base = slot * 3 * plane;
        float[] r = table[0], g = table[1], b = table[2];
        for (int y = 0; y < h; y++) {
            int d = base + y * pw;
            for (int x = 0, s = y * w * 3; x < w; x++, s += 3) {
                out[d + x] = r[rgb[s] & 0xff];
                out[plane + d + x] = g[rgb[s + 1] & 0xff];
                out[2 * plane + d + x] = b[rgb[s + 2] & 0xff];
            }
            for (int c = 0; c < 3; c++) {
                java.util.Arrays.fill(out, c * plane + d + w, c * plane + d + pw, 0f);
            }
        }
        for (int c = 0; c < 3; c++) {
            java.util.Arrays.fill(out, base + c * plane + h * pw, base + (c + 1) * plane, 0f);
        }
    }

    /** One-off form of {@link #into}, for callers without a {@code Preprocess} at hand. */
    public static void normalise(byte[] rgb, int h, int w, float[] mean, float[] std,
            float[] out, int slot, int ph, int pw) {
        new Preprocess(mean, std).into(rgb, h, w, out, slot, ph, pw);
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
