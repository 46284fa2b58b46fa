package dev.bisenet.image;

import java.util.Arrays;

/**
 * The padding rule that lets the network take any image size: zeros are added at the bottom and
 * right of the normalised tensor up to the next multiple of 32, and the logits are cropped back
 * to the original size afterwards, with no resampling.
 *
 * <p>Why padding rather than resizing: the network downsamples by 32, and resizing would blur
 * every pixel of the prediction, whereas bottom/right padding leaves the top-left region aligned
 * pixel for pixel. A zero in the normalised tensor is the dataset mean colour, the least
 * surprising filler. All arrays are row-major planes; a batch (n, c, h, w) is the same thing as
 * (n * c, h, w) here, so pass {@code n * c} as the plane count.
 */
public final class Padding {

    /** The network's total downsampling factor; inputs must be multiples of it. */
    public static final int MULTIPLE = 32;

    private Padding() {
    }

    /** The smallest multiple of 32 that is at least {@code size}; {@code size} must be positive. */
    public static int ceil32(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        return (size + MULTIPLE - 1) / MULTIPLE * MULTIPLE;
    }

    /**
     * Pads planes with zeros at the bottom and right up to multiples of 32.
     *
     * @param chw planes, shape (c, h, w)
     * @return shape (c, ceil32(h), ceil32(w)); {@code chw} itself when h and w already are
     *     multiples of 32 (callers must not assume a copy)
     */
    public static float[] padTo32(float[] chw, int c, int h, int w) {
        int ph = ceil32(h);
        int pw = ceil32(w);
        if (ph == h && pw == w) {
            checkLength(chw, c, h, w, "input");
            return chw;
        }
        return pad(chw, c, h, w, ph, pw, null);
    }

    /**
     * Pads planes with zeros at the bottom and right to (paddedH, paddedW), writing into
     * {@code dst} when it has exactly the padded size (a reused buffer; an exact size because
     * backends check array lengths) or into a new array otherwise.
     *
     * @param src planes, shape (c, h, w)
     * @param dst a buffer to reuse, or null
     * @return the padded planes, shape (c, paddedH, paddedW), {@code dst} or a new array
     */
    public static float[] pad(float[] src, int c, int h, int w, int paddedH, int paddedW,
            float[] dst) {
        checkLength(src, c, h, w, "input");
        if (paddedH < h || paddedW < w) {
            throw new IllegalArgumentException("cannot pad " + h + "x" + w + " down to "
                    + paddedH + "x" + paddedW);
        }
        int size = c * paddedH * paddedW;
        float[] out = dst != null && dst.length == size ? dst : new float[size];
        for (int p = 0; p < c; p++) {
            int srcPlane = p * h * w;
            int dstPlane = p * paddedH * paddedW;
            for (int y = 0; y < h; y++) {
                int d = dstPlane + y * paddedW;
                System.arraycopy(src, srcPlane + y * w, out, d, w);
                // a reused buffer holds old values, so the padding is always written
                Arrays.fill(out, d + w, d + paddedW, 0f);
            }
            Arrays.fill(out, dstPlane + h * paddedW, dstPlane + paddedH * paddedW, 0f);
        }
        return out;
    }

    /**
     * Crops padded logits back to the image size: keeps the top-left (h, w) of each plane.
     *
     * @param logits shape (c, paddedH, paddedW)
     * @return shape (c, h, w); {@code logits} itself when no cropping is needed
     */
    public static float[] cropLogits(float[] logits, int c, int paddedH, int paddedW, int h,
            int w) {
        if (paddedH == h && paddedW == w) {
            checkLength(logits, c, h, w, "logits");
            return logits;
        }
        return crop(logits, c, paddedH, paddedW, h, w, null);
    }

    /**
     * Copies the top-left (h, w) of each padded plane into {@code dst} when it has exactly that
     * size, or into a new array otherwise.
     *
     * @param padded shape (c, paddedH, paddedW)
     * @return shape (c, h, w)
     */
    public static float[] crop(float[] padded, int c, int paddedH, int paddedW, int h, int w,
            float[] dst) {
        checkLength(padded, c, paddedH, paddedW, "padded planes");
        if (h > paddedH || w > paddedW || h <= 0 || w <= 0) {
            throw new IllegalArgumentException("cannot crop " + paddedH + "x" + paddedW
                    + " to " + h + "x" + w);
        }
        int size = c * h * w;
        float[] out = dst != null && dst.length == size ? dst : new float[size];
        for (int p = 0; p < c; p++) {
            int srcPlane = p * paddedH * paddedW;
            int dstPlane = p * h * w;
            for (int y = 0; y < h; y++) {
                System.arraycopy(padded, srcPlane + y * paddedW, out, dstPlane + y * w, w);
            }
        }
        return out;
    }

    private static void checkLength(float[] a, int c, int h, int w, String what) {
        if (c <= 0 || h <= 0 || w <= 0) {
            throw new IllegalArgumentException(what + " shape must be positive, got (" + c
                    + ", " + h + ", " + w + ")");
        }
        long expected = (long) c * h * w;
        if (a.length != expected) {
            throw new IllegalArgumentException(what + " has " + a.length
                    + " values but shape (" + c + ", " + h + ", " + w + ") needs " + expected);
        }
    }
}
