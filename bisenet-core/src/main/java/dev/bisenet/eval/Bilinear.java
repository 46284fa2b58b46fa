package dev.bisenet.eval;

/**
 * Bilinear resampling of stacked planes with the semantics of PyTorch's
 * {@code F.interpolate(x, size=(h, w), mode='bilinear', align_corners=False)} (no antialiasing),
 * produced one output row at a time.
 *
 * <p>Hand-written because the protocols resample logits between engine calls, and doing it in
 * plain Java keeps evaluation engine-independent; row-at-a-time output lets the caller fuse
 * softmax and accumulation into the same pass without a full-size intermediate. The source may
 * be a region of a larger array (the valid part of padded logits) and may be read mirrored
 * left-right, which undoes a horizontal flip for free.
 *
 * <p>Not thread-safe (it caches interpolated source rows); cheap to create.
 */
public final class Bilinear {

    private final float[] src;
    private final int srcOffset;
    private final int planes;
    private final int srcRowStride;
    private final int srcPlaneStride;
    private final int dstW;
    private final boolean identityX;
    private final boolean mirror;
    // per output column: the two source columns and their weights
    private final int[] x0;
    private final int[] x1;
    private final float[] wx0;
    private final float[] wx1;
    // per output row: the two source rows and their weights
    private final int[] y0;
    private final int[] y1;
    private final float[] wy0;
    private final float[] wy1;
    // two horizontally interpolated source rows, (planes, dstW) each, and which rows they hold
    private float[] rowA;
    private float[] rowB;
    private int heldA = -1;
    private int heldB = -1;

    /**
     * A resampler reading the region (planes, srcH, srcW) of {@code src}, where plane p, row y,
     * column x is at {@code srcOffset + p * srcPlaneStride + y * srcRowStride + x}.
     *
     * @param mirror read each source row right to left (resample the flipped image)
     */
    public Bilinear(float[] src, int srcOffset, int planes, int srcH, int srcW, int srcRowStride,
            int srcPlaneStride, int dstH, int dstW, boolean mirror) {
        if (planes <= 0 || srcH <= 0 || srcW <= 0 || dstH <= 0 || dstW <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + planes + " planes, "
                    + srcH + "x" + srcW + " -> " + dstH + "x" + dstW);
        }
        if (srcRowStride < srcW || srcPlaneStride < (long) (srcH - 1) * srcRowStride + srcW) {
            throw new IllegalArgumentException("strides too small for a " + srcH + "x" + srcW
                    + " region");
        }
        long last = srcOffset + (long) (planes - 1) * srcPlaneStride
                + (long) (srcH - 1) * srcRowStride + srcW;
        if (srcOffset < 0 || last > src.length) {
            throw new IllegalArgumentException("region ends at " + last
                    + " beyond the array of " + src.length);
        }
        this.src = src;
        this.srcOffset = srcOffset;
        this.planes = planes;
        this.srcRowStride = srcRowStride;
        this.srcPlaneStride = srcPlaneStride;
        this.dstW = dstW;
        this.mirror = mirror;
        this.identityX = srcW == dstW;
        this.x0 = new int[dstW];
        this.x1 = new int[dstW];
        this.wx0 = new float[dstW];
        this.wx1 = new float[dstW];
        axis(srcW, dstW, x0, x1, wx0, wx1);
        if (mirror) {
            for (int x = 0; x < dstW; x++) {
                x0[x] = srcW - 1 - x0[x];
                x1[x] = srcW - 1 - x1[x];
            }
        }
        this.y0 = new int[dstH];
        this.y1 = new int[dstH];
        this.wy0 = new float[dstH];
        this.wy1 = new float[dstH];
        axis(srcH, dstH, y0, y1, wy0, wy1);
        this.rowA = new float[planes * dstW];
        this.rowB = new float[planes * dstW];
    }

    /**
     * Resizes planes (c, srcH, srcW) to (c, dstH, dstW).
     *
     * @param dst a buffer of exactly c * dstH * dstW values to reuse, or null for a new array
     * @return the resized planes
     */
    public static float[] resize(float[] src, int c, int srcH, int srcW, int dstH, int dstW,
            float[] dst) {
        if (src.length != (long) c * srcH * srcW) {
            throw new IllegalArgumentException("source has " + src.length
                    + " values, expected " + c + "x" + srcH + "x" + srcW);
        }
        int size = c * dstH * dstW;
        float[] out = dst != null && dst.length == size ? dst : new float[size];
        Bilinear rows = new Bilinear(src, 0, c, srcH, srcW, srcW, srcH * srcW, dstH, dstW,
                false);
        for (int y = 0; y < dstH; y++) {
            rows.row(y, out, y * dstW, dstH * dstW);
        }
        return out;
    }

    /**
     * Writes output row {@code y} of every plane: plane p goes to
     * {@code out[outOffset + p * outPlaneStride ..+ dstW]}. Rows are cheapest in increasing
     * order, where each source row is interpolated horizontally only once.
     */
    public void row(int y, float[] out, int outOffset, int outPlaneStride) {
        int r0 = y0[y];
        int r1 = y1[y];
        float[] a = held(r0, r1);
        float[] b = held(r1, r0);
        float w0 = wy0[y];
        float w1 = wy1[y];
        int w = dstW;
        for (int p = 0; p < planes; p++) {
            int o = outOffset + p * outPlaneStride;
            int s = p * w;
            // same arithmetic as PyTorch, w0 * a + w1 * b, even when w1 is 0 (exact then)
            for (int x = 0; x < w; x++) {
                out[o + x] = w0 * a[s + x] + w1 * b[s + x];
            }
        }
    }

    // The buffer holding source row r horizontally interpolated, computing it into the buffer
    // that does not hold row `keep` (the other row the current output row needs).
    private float[] held(int r, int keep) {
        if (heldA == r) {
            return rowA;
        }
        if (heldB == r) {
            return rowB;
        }
        if (heldA != keep) {
            interpolateRow(r, rowA);
            heldA = r;
            return rowA;
        }
        interpolateRow(r, rowB);
        heldB = r;
        return rowB;
    }

    private void interpolateRow(int r, float[] buf) {
        int w = dstW;
        for (int p = 0; p < planes; p++) {
            int base = srcOffset + p * srcPlaneStride + r * srcRowStride;
            int o = p * w;
            if (identityX && !mirror) {
                System.arraycopy(src, base, buf, o, w);
            } else if (identityX) {
                for (int x = 0; x < w; x++) {
                    buf[o + x] = src[base + w - 1 - x];
                }
            } else {
                for (int x = 0; x < w; x++) {
                    buf[o + x] = wx0[x] * src[base + x0[x]] + wx1[x] * src[base + x1[x]];
                }
            }
        }
    }

    // Source indices and weights along one axis, align_corners=False: the centre of output pixel
    // i maps to (i + 0.5) * in / out - 0.5 in the input, clamped at 0. Computed in float with a
    // double intermediate as PyTorch's CPU kernel does, so that results match it to the last bit
    // in most cases rather than only approximately.
    static void axis(int in, int out, int[] i0, int[] i1, float[] w0, float[] w1) {
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            float real = (float) (scale * (i + 0.5) - 0.5);
            if (real < 0) {
                real = 0;
            }
            int lo = (int) real;
            int hi = lo < in - 1 ? lo + 1 : lo;
            float l1 = Math.min(Math.max(real - lo, 0f), 1f);
            i0[i] = lo;
            i1[i] = hi;
            w0[i] = 1f - l1;
            w1[i] = l1;
        }
    }
}
