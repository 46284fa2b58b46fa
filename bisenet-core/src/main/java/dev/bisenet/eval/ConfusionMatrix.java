package dev.bisenet.eval;

import dev.bisenet.util.UserException;

/**
 * Pixel counts of (ground-truth class, predicted class) pairs over a set of images, the one
 * statistic every segmentation metric here is computed from.
 *
 * <p>Counts are {@code long}: a Cityscapes val pass alone is 1e9 pixels. Byte label maps are read
 * as unsigned (0..255), as PNG label images store them, so an ignore label of 255 works for both
 * {@code byte[]} and {@code int[]} maps.
 *
 * <p>Not thread-safe. To evaluate in parallel, give each thread its own matrix and
 * {@link #merge} them at the end; a matrix must not be modified while it is being merged into
 * another.
 */
public final class ConfusionMatrix {

    private final int numClasses;
    // (C, C): counts[gt * C + pred]
    private final long[] counts;

    /** An empty matrix for {@code numClasses} classes. */
    public ConfusionMatrix(int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        // pairs are indexed gt * C + pred in an int, and a C x C array must fit in memory
        if (numClasses > 46_340) {
            throw new IllegalArgumentException("too many classes: " + numClasses);
        }
        this.numClasses = numClasses;
        this.counts = new long[numClasses * numClasses];
    }

    /**
     * A matrix holding {@code counts} (shape (C, C), indexed {@code gt * C + pred}), such as
     * {@link #counts()} of another: how partial matrices travel between machines.
     */
    public static ConfusionMatrix of(int numClasses, long[] counts) {
        ConfusionMatrix m = new ConfusionMatrix(numClasses);
        if (counts.length != m.counts.length) {
            throw new IllegalArgumentException(counts.length + " counts for " + numClasses + " classes");
        }
        System.arraycopy(counts, 0, m.counts, 0, counts.length);
        return m;
    }

    /** The number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** Pixels whose ground truth is {@code gt} and prediction is {@code pred}. */
    public long count(int gt, int pred) {
        checkClass(gt, "gt");
        checkClass(pred, "pred");
        return counts[gt * numClasses + pred];
    }

    /** A copy of the counts, shape (C, C), indexed {@code gt * C + pred}. */
    public long[] counts() {
        return counts.clone();
    }

    /** Total number of counted (non-ignored) pixels. */
    public long total() {
        long sum = 0;
        for (long v : counts) {
            sum += v;
        }
        return sum;
    }

    /**
     * Counts one image. Pixels whose ground truth equals {@code ignoreIndex} are skipped.
     *
     * @throws UserException if a ground-truth value is outside [0, C) and is not the ignore index
     *     (a label map made for another dataset, or colour labels); the matrix is then unchanged
     * @throws IllegalArgumentException if the arrays differ in length or a prediction is outside
     *     [0, C) (a bug in the caller)
     */
    public void add(int[] gt, int[] pred, int ignoreIndex) {
        checkLengths(gt.length, pred.length);
        final int c = numClasses;
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (g == ignoreIndex) {
                continue;
            }
            int p = pred[i];
            if (g < 0 || g >= c || p < 0 || p >= c) {
                undo(gt, pred, ignoreIndex, i);
                throw badValue(g, p, i, ignoreIndex);
            }
            counts[g * c + p]++;
        }
    }

    /** As {@link #add(int[], int[], int)} with unsigned byte ground truth. */
    public void add(byte[] gt, int[] pred, int ignoreIndex) {
        checkLengths(gt.length, pred.length);
        final int c = numClasses;
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i] & 0xFF;
            if (g == ignoreIndex) {
                continue;
            }
            int p = pred[i];
            if (g >= c || p < 0 || p >= c) {
                undo(gt, pred, ignoreIndex, i);
                throw badValue(g, p, i, ignoreIndex);
            }
            counts[g * c + p]++;
        }
    }

    /** As {@link #add(int[], int[], int)} with unsigned byte ground truth and predictions. */
    public void add(byte[] gt, byte[] pred, int ignoreIndex) {
        add(gt, toInts(pred), ignoreIndex);
    }

    /** As {@link #add(int[], int[], int)} with unsigned byte predictions. */
    public void add(int[] gt, byte[] pred, int ignoreIndex) {
        add(gt, toInts(pred), ignoreIndex);
    }

    /** Adds the counts of {@code other} (same class count) to this matrix. */
    public void merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge a " + other.numClasses
                    + "-class matrix into a " + numClasses + "-class one");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    // Byte predictions are rare (a saved label map); widening them once keeps one counting loop
    // per ground-truth type instead of four near-identical ones.
    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    // Removes what pixels [0, end) added, so that a failed add leaves the matrix as it was
    // without a separate validation pass over every image.
    private void undo(int[] gt, int[] pred, int ignoreIndex, int end) {
        for (int i = 0; i < end; i++) {
            if (gt[i] != ignoreIndex) {
                counts[gt[i] * numClasses + pred[i]]--;
            }
        }
    }

    private void undo(byte[] gt, int[] pred, int ignoreIndex, int end) {
        for (int i = 0; i < end; i++) {
            int g = gt[i] & 0xFF;
            if (g != ignoreIndex) {
                counts[g * numClasses + pred[i]]--;
            }
        }
    }

    private RuntimeException badValue(int g, int p, int index, int ignoreIndex) {
        if (g < 0 || g >= numClasses) {
            return new UserException("label value " + g + " at pixel " + index
                    + " is not a class index in [0, " + numClasses + ") nor the ignore index "
                    + ignoreIndex + "; labels must be class-index maps for this dataset "
                    + "(not colour images), with unlabelled pixels set to " + ignoreIndex);
        }
        return new IllegalArgumentException("predicted class " + p + " at pixel " + index
                + " is outside [0, " + numClasses + ")");
    }

    private static void checkLengths(int gt, int pred) {
        if (gt != pred) {
            throw new IllegalArgumentException("label map has " + gt
                    + " pixels but prediction has " + pred);
        }
    }

    private void checkClass(int k, String what) {
        if (k < 0 || k >= numClasses) {
            throw new IndexOutOfBoundsException(what + " class " + k + " outside [0, "
                    + numClasses + ")");
        }
    }
}
