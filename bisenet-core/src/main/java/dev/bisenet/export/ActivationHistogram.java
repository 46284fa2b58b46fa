package dev.bisenet.export;

import java.nio.FloatBuffer;

/**
 * The distribution of one activation over all calibration images, as two histograms of
 * magnitudes (one for positive, one for negative values) plus a count of exact zeros, from which
 * a {@link RangeMethod} picks a quantization range.
 *
 * <p>Each side has {@link #BINS} bins over [0, limit); when a value at or beyond the limit
 * arrives, the limit doubles and neighbouring bins merge pairwise, which is exact, so the
 * result does not depend on the order of the images. Zeros get their own count because after a
 * ReLU they are often most values and cost nothing to represent (zero is always exact).
 */
final class ActivationHistogram {

    static final int BINS = 2048;

    private final long[] pos = new long[BINS];
    private final long[] neg = new long[BINS];
    private long zeros;
    private long nonFinite;
    private float limit; // 0 until the first non-zero value; then a power of two
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;

    /** Counts the {@code remaining()} values of {@code values} (its position is not moved). */
    void add(FloatBuffer values) {
        int n = values.remaining(), start = values.position();
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = values.get(start + i);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (n == 0) return;
        if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
            // NaN never wins a comparison, so look for non-finite values explicitly
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(values.get(start + i))) nonFinite++;
            }
        }
        min = Math.min(min, lo);
        max = Math.max(max, hi);
        grow(Math.max(Math.abs(lo), Math.abs(hi)));
        if (limit == 0) {
            zeros += n;
            return;
        }
        float perBin = BINS / limit;
        for (int i = 0; i < n; i++) {
            float v = values.get(start + i);
            if (v > 0) {
                pos[Math.min((int) (v * perBin), BINS - 1)]++;
            } else if (v < 0) {
                neg[Math.min((int) (-v * perBin), BINS - 1)]++;
            } else if (v == 0) {
                zeros++;
            }
        }
    }

    void add(float[] values) {
        add(FloatBuffer.wrap(values));
    }

    /** Raises the limit (doubling, merging bins) until {@code magnitude} lies below it. */
    private void grow(float magnitude) {
        if (!(magnitude > 0) || !Float.isFinite(magnitude)) return;
        if (limit == 0) {
            limit = (float) Math.pow(2, Math.floor(Math.log(magnitude) / Math.log(2)) + 1);
            while (limit <= magnitude) limit *= 2; // guard against rounding in the logarithm
            return;
        }
        while (limit <= magnitude) {
            merge(pos);
            merge(neg);
            limit *= 2;
        }
    }

    private static void merge(long[] bins) {
        for (int i = 0; i < BINS / 2; i++) bins[i] = bins[2 * i] + bins[2 * i + 1];
        java.util.Arrays.fill(bins, BINS / 2, BINS, 0);
    }

    long count() {
        long c = zeros;
        for (int i = 0; i < BINS; i++) c += pos[i] + neg[i];
        return c;
    }

    long nonFinite() {
        return nonFinite;
    }

    float min() {
        return min;
    }

    float max() {
        return max;
    }

    /**
     * The range {@code method} picks, always containing 0 (so that zero padding and ReLU zeros
     * stay exact) and exactly [0, x] when no negative value was seen.
     */
    Calibration.Range range(RangeMethod method) {
        if (count() == 0) throw new IllegalStateException("no values observed");
        float lo = Math.min(min, 0), hi = Math.max(max, 0);
        switch (method.kind()) {
            case MIN_MAX -> { }
            case PERCENTILE -> {
                double tail = (100 - method.percentile()) / 100 / 2 * count();
                if (lo < 0) lo = (float) -Math.min(-lo, edgeBeyond(neg, tail));
                if (hi > 0) hi = (float) Math.min(hi, edgeBeyond(pos, tail));
            }
            case MSE -> {
                double best = Double.POSITIVE_INFINITY;
                float bestLo = lo, bestHi = hi;
                // Shrinks both ends by one factor: enough for ReLU outputs (one-sided) and for
                // the roughly symmetric pre-activation tensors of this network.
                for (int k = 100; k >= 5; k--) {
                    float l = lo * k / 100f, h = hi * k / 100f;
                    double e = expectedSquaredError(l, h);
                    if (e < best) {
                        best = e;
                        bestLo = l;
                        bestHi = h;
                    }
                }
                lo = bestLo;
                hi = bestHi;
            }
        }
        return new Calibration.Range(lo, hi);
    }

    /** The magnitude below which all but {@code tail} of one side's values lie (a bin's upper edge). */
    private double edgeBeyond(long[] bins, double tail) {
        double width = limit / BINS;
        long above = 0;
        for (int i = BINS - 1; i >= 0; i--) {
            above += bins[i];
            if (above > tail) return (i + 1) * width;
        }
        return width;
    }

    /**
     * Mean squared error of quantizing the observed values to 256 levels over [lo, hi], taking
     * each bin's values at its centre: uniform rounding error (step^2 / 12) inside, the distance
     * to the nearest end outside. Zeros are exact and cost nothing.
     */
    double expectedSquaredError(float lo, float hi) {
        double step = (hi - lo) / 255.0;
        double width = limit / BINS;
        double e = 0;
        for (int i = 0; i < BINS; i++) {
            double x = (i + 0.5) * width;
            e += pos[i] * cost(x, lo, hi, step);
            e += neg[i] * cost(-x, lo, hi, step);
        }
        return e / count();
    }

    private static double cost(double x, double lo, double hi, double step) {
        if (x > hi) return (x - hi) * (x - hi);
        if (x < lo) return (lo - x) * (lo - x);
        return step * step / 12;
    }
}
