package dev.bisenet.train;

/**
 * The reference's learning-rate schedule: an exponential warmup from 0.1 x to 1 x the base rate
 * over the first {@code warmup} iterations (factor 0.1^(1 - it / warmup)), then poly decay
 * (1 - progress)^power to zero at {@code maxIter}.
 */
public record LrSchedule(double baseLr, int warmup, double warmupRatio, int maxIter, double power) {

    public LrSchedule {
        if (!(baseLr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + baseLr);
        if (maxIter < 1) throw new IllegalArgumentException("iterations must be positive, got " + maxIter);
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
    }

    /** The reference settings: 1000 warmup iterations from 0.1 x, poly power 0.9. */
    public static LrSchedule reference(double baseLr, int maxIter) {
        // A run shorter than the reference warmup warms up over its first fifth instead.
        int warmup = Math.min(1000, maxIter / 5);
        return new LrSchedule(baseLr, warmup, 0.1, maxIter, 0.9);
    }

    /** The rate for iteration {@code it} (0-based), before any per-group multiplier. */
    public double lr(int it) {
        return baseLr * factor(it);
    }

    public double factor(int it) {
        if (it < warmup) {
            return Math.pow(warmupRatio, 1.0 - (double) it / warmup);
        }
        double progress = (double) (it - warmup) / Math.max(1, maxIter - warmup);
        return Math.pow(Math.max(0.0, 1.0 - progress), power);
    }
}
