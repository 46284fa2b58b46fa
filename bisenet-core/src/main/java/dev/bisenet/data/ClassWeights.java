package dev.bisenet.data;

import dev.bisenet.util.UserException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Per-class loss weights for thin and rare classes, from the training labels.
 *
 * <p>{@code median} is SegNet's median frequency balancing (Badrinarayanan et al., the CamVid
 * weights most papers reuse): {@code w_c = median(f) / f_c}, where {@code f_c} is class c's pixels
 * divided by the pixels of the images in which c appears. On CamVid it spans about 70x (Road
 * against SignSymbol); {@code sqrt} takes the square root of those weights, a milder balance.
 */
public final class ClassWeights {

    private ClassWeights() {}

    /** Pixels per class and, per class, pixels of the images that contain it (ignored pixels counted in neither). */
    public record Counts(long[] pixels, long[] imagePixels, int images) {}

    /** Counts the labels of every sample of {@code ds} (labels only; images are not decoded). */
    public static Counts count(SegDataset ds, int classes) {
        long[] pixels = new long[classes];
        long[] imagePixels = new long[classes];
        int images = 0;
        for (int i = 0; i < ds.size(); i++) {
            byte[] labels;
            try {
                labels = Labels.read(ds.sample(i).label(), ds.spec(), new int[2]);
            } catch (UserException e) {
                if (ds.skipBad()) continue; // the loader reports it when it meets it
                throw e;
            }
            long[] here = new long[classes];
            long valid = 0;
            for (byte b : labels) {
                int c = b & 0xff;
                if (c < classes) {
                    here[c]++;
                    valid++;
                }
            }
            for (int c = 0; c < classes; c++) {
                pixels[c] += here[c];
                if (here[c] > 0) imagePixels[c] += valid;
            }
            images++;
        }
        return new Counts(pixels, imagePixels, images);
    }

    /** Median frequency weights; a class that never appears gets weight 1 (it never meets the loss). */
    public static float[] medianFrequency(Counts counts) {
        int n = counts.pixels().length;
        double[] freq = new double[n];
        int present = 0;
        for (int c = 0; c < n; c++) {
            if (counts.pixels()[c] > 0) {
                freq[c] = (double) counts.pixels()[c] / counts.imagePixels()[c];
                present++;
            }
        }
        if (present == 0) {
            throw new UserException("no labelled pixel in the training set: class weights cannot be computed");
        }
        double[] sorted = Arrays.stream(freq).filter(f -> f > 0).sorted().toArray();
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        float[] w = new float[n];
        for (int c = 0; c < n; c++) {
            w[c] = freq[c] > 0 ? (float) (median / freq[c]) : 1f;
        }
        return w;
    }

    /**
     * The weights a {@code --class-weights} value names: {@code none} (null), {@code median},
     * {@code sqrt}, or one number per class.
     */
    public static float[] parse(String value, int classes, java.util.function.Supplier<Counts> counts) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "none":
                return null;
            case "median":
                return medianFrequency(counts.get());
            case "sqrt": {
                float[] w = medianFrequency(counts.get());
                for (int c = 0; c < w.length; c++) w[c] = (float) Math.sqrt(w[c]);
                return w;
            }
            default: {
                String[] parts = v.split(",");
                if (parts.length != classes) {
                    throw new UserException("--class-weights " + value + ": give none, median, sqrt, or " + classes
                            + " numbers (one per class), not " + parts.length);
                }
                float[] w = new float[classes];
                for (int c = 0; c < classes; c++) {
                    try {
                        w[c] = Float.parseFloat(parts[c].trim());
                    } catch (NumberFormatException e) {
                        throw new UserException("--class-weights: '" + parts[c].trim() + "' is not a number");
                    }
                    if (!(w[c] >= 0) || Float.isInfinite(w[c])) {
                        throw new UserException("--class-weights: weight " + parts[c].trim() + " of class " + c
                                + " must be a finite number >= 0");
                    }
                }
                return w;
            }
        }
    }
}
