package dev.bisenet.eval;

/**
 * The per-pixel loops of the protocols on (C, H, W) score planes: softmax-and-accumulate,
 * argmax, horizontal flip and window extraction.
 *
 * <p>Hand-written (no library does these on plain arrays without boxing) and row-wise: each
 * inner loop runs along a row of one plane, so the JIT can keep it branch-light and memory
 * access stays sequential. Scratch rows are passed in so nothing large is allocated per row.
 */
final class ScoreOps {

    private ScoreOps() {
    }

    /**
     * Adds {@code softmax over classes} of one row of logits to an accumulator row. Class k,
     * column x is read at {@code src[srcOffset + k * srcPlaneStride + x]} and added at
     * {@code acc[accOffset + k * accPlaneStride + x]}. Overwrites the source row with
     * exponentials (the source is always a scratch row or logits owned by the caller).
     *
     * @param max scratch of at least w values
     * @param sum scratch of at least w values
     * @param tmp scratch of at least w values
     */
    static void softmaxAdd(float[] src, int srcOffset, int srcPlaneStride, int c, int w,
            float[] acc, int accOffset, int accPlaneStride, float[] max, float[] sum,
            float[] tmp) {
        System.arraycopy(src, srcOffset, max, 0, w);
        for (int k = 1; k < c; k++) {
            int s = srcOffset + k * srcPlaneStride;
            for (int x = 0; x < w; x++) {
                max[x] = Math.max(max[x], src[s + x]);
            }
        }
        java.util.Arrays.fill(sum, 0, w, 0f);
        for (int k = 0; k < c; k++) {
            int s = srcOffset + k * srcPlaneStride;
            // subtracting the maximum keeps exp from overflowing on large logits
            for (int x = 0; x < w; x++) {
                src[s + x] -= max[x];
            }
            expNonPositive(src, s, w, tmp);
            for (int x = 0; x < w; x++) {
                sum[x] += src[s + x];
            }
        }
        for (int x = 0; x < w; x++) {
            sum[x] = 1f / sum[x];
        }
        for (int k = 0; k < c; k++) {
            int s = srcOffset + k * srcPlaneStride;
            int a = accOffset + k * accPlaneStride;
            for (int x = 0; x < w; x++) {
                acc[a + x] += src[s + x] * sum[x];
            }
        }
    }

    /**
     * Replaces {@code a[offset .. offset + n)}, all <= 0 (softmax arguments after subtracting
     * the maximum), by their exponentials: relative error below 3e-7, about 1 float ulp; NaN
     * stays NaN. Arguments below -87 give e^-87 (1.6e-38) instead of a smaller value, which a
     * softmax sum of at least 1 cannot notice.
     *
     * <p>Hand-written because {@code Math.exp} takes ~14 ns per call here (double precision, one
     * value at a time), which made it most of the Java-side time of MSF (12 passes x C x H x W
     * calls). Method: x = n ln2 + r with |r| <= ln2 / 2, e^r by a degree-6 polynomial (the
     * Cephes expf coefficients), 2^n written into the exponent bits. It is split into simple
     * loops because the JIT vectorises those and not one loop doing everything: ~2.5x faster.
     *
     * @param tmp scratch of at least n values
     */
    static void expNonPositive(float[] a, int offset, int n, float[] tmp) {
        for (int i = 0; i < n; i++) {
            a[offset + i] = Math.max(a[offset + i], -87f);
        }
        for (int i = 0; i < n; i++) {
            // round(x / ln2): adding and removing 1.5 * 2^23 rounds to an integer in float
            tmp[i] = (a[offset + i] * 1.44269504f + ROUNDER) - ROUNDER;
        }
        for (int i = 0; i < n; i++) {
            // ln2 split in a part exact in float and the rest, for an accurate remainder
            a[offset + i] = a[offset + i] - tmp[i] * 0.693145751953125f
                    - tmp[i] * 1.428606765330187e-06f;
        }
        for (int i = 0; i < n; i++) {
            float r = a[offset + i];
            float p = 1.9875691500e-4f;
            p = p * r + 1.3981999507e-3f;
            p = p * r + 8.3334519073e-3f;
            p = p * r + 4.1665795894e-2f;
            p = p * r + 1.6666665459e-1f;
            p = p * r + 5.0000001201e-1f;
            a[offset + i] = p * r * r + r + 1f;
        }
        for (int i = 0; i < n; i++) {
            a[offset + i] *= Float.intBitsToFloat(((int) tmp[i] + 127) << 23);
        }
    }

    private static final float ROUNDER = 12582912f;

    /**
     * The class of highest score at each pixel; ties go to the lowest class index, as
     * {@code torch.argmax} does.
     *
     * @param scores shape (c, h, w)
     * @return labels, shape (h, w)
     */
    static int[] argmax(float[] scores, int c, int h, int w) {
        int plane = h * w;
        int[] labels = new int[plane];
        float[] best = new float[w];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            System.arraycopy(scores, row, best, 0, w);
            // labels start at 0, the class whose scores seeded `best`
            for (int k = 1; k < c; k++) {
                int s = k * plane + row;
                for (int x = 0; x < w; x++) {
                    float v = scores[s + x];
                    if (v > best[x]) {
                        best[x] = v;
                        labels[row + x] = k;
                    }
                }
            }
        }
        return labels;
    }

    /** Multiplies every value by {@code factor}, in place. */
    static void scale(float[] a, float factor) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= factor;
        }
    }

    /**
     * Mirrors planes left-right.
     *
     * @param src shape (c, h, w)
     * @param dst a buffer of exactly c * h * w values to reuse, or null
     */
    static float[] flip(float[] src, int c, int h, int w, float[] dst) {
        float[] out = dst != null && dst.length == src.length ? dst : new float[src.length];
        for (int r = 0; r < c * h; r++) {
            int o = r * w;
            int last = o + w - 1;
            for (int x = 0; x < w; x++) {
                out[o + x] = src[last - x];
            }
        }
        return out;
    }

    /**
     * Copies the window of (winH, winW) at (top, left) out of planes (c, h, w) into a
     * zero-filled (c, outH, outW) buffer at its top-left, the padding rule applied to a crop.
     *
     * @param dst a buffer of exactly c * outH * outW values to reuse, or null
     */
    static float[] window(float[] src, int c, int h, int w, int top, int left, int winH,
            int winW, int outH, int outW, float[] dst) {
        if (top < 0 || left < 0 || top + winH > h || left + winW > w) {
            throw new IllegalArgumentException("window " + winH + "x" + winW + " at (" + top
                    + ", " + left + ") leaves the " + h + "x" + w + " image");
        }
        int size = c * outH * outW;
        float[] out = dst != null && dst.length == size ? dst : new float[size];
        java.util.Arrays.fill(out, 0f);
        for (int p = 0; p < c; p++) {
            for (int y = 0; y < winH; y++) {
                System.arraycopy(src, p * h * w + (top + y) * w + left, out,
                        p * outH * outW + y * outW, winW);
            }
        }
        return out;
    }
}
