package dev.bisenet.eval;

/**
 * Segmentation metrics computed from a {@link ConfusionMatrix}: per-class IoU and accuracy,
 * mIoU, pixel accuracy, mean class accuracy and frequency-weighted IoU.
 *
 * <p>Every ratio whose denominator is zero is {@code NaN} ("undefined"), never 0 and never
 * smoothed: a class that appears neither in the ground truth nor in the prediction has no IoU,
 * and averaging a made-up 0 or 1 into mIoU would bias it. All values are fractions in [0, 1].
 * Instances are immutable.
 */
public final class Metrics {

    /** How mIoU treats classes, worded for reports and the command line. */
    public static final String MIOU_RULE = "mean of per-class IoU over the classes present in "
            + "the ground truth or the prediction; classes absent from both have no IoU (n/a) "
            + "and are left out";

    /** How the mean class accuracy treats classes, worded for reports. */
    public static final String MEAN_ACCURACY_RULE = "mean of per-class recall over the classes "
            + "present in the ground truth";

    private final int numClasses;
    private final long total;
    private final long[] gtPixels;
    private final double[] iou;
    private final double[] accuracy;
    private final int classesInMeanIoU;
    private final double meanIoU;
    private final double pixelAccuracy;
    private final double meanAccuracy;
    private final double fwIoU;

    private Metrics(ConfusionMatrix matrix) {
        int c = matrix.numClasses();
        long[] m = matrix.counts();
        long[] gt = new long[c];
        long[] pred = new long[c];
        long[] tp = new long[c];
        long all = 0;
        long correct = 0;
        for (int g = 0; g < c; g++) {
            for (int p = 0; p < c; p++) {
                long v = m[g * c + p];
                gt[g] += v;
                pred[p] += v;
                all += v;
            }
            tp[g] = m[g * c + g];
            correct += tp[g];
        }
        this.numClasses = c;
        this.total = all;
        this.gtPixels = gt;
        this.iou = new double[c];
        this.accuracy = new double[c];

        double iouSum = 0;
        int iouCount = 0;
        double accSum = 0;
        int accCount = 0;
        double fw = 0;
        for (int k = 0; k < c; k++) {
            long fp = pred[k] - tp[k];
            long fn = gt[k] - tp[k];
            iou[k] = ratio(tp[k], tp[k] + fp + fn);
            accuracy[k] = ratio(tp[k], gt[k]);
            if (!Double.isNaN(iou[k])) {
                iouSum += iou[k];
                iouCount++;
            }
            if (gt[k] > 0) {
                accSum += accuracy[k];
                accCount++;
                // a class absent from the ground truth has weight 0; skipping it explicitly
                // avoids 0 * NaN when it is absent from the prediction too
                fw += (double) gt[k] / all * iou[k];
            }
        }
        this.classesInMeanIoU = iouCount;
        this.meanIoU = iouCount == 0 ? Double.NaN : iouSum / iouCount;
        this.meanAccuracy = accCount == 0 ? Double.NaN : accSum / accCount;
        this.pixelAccuracy = ratio(correct, all);
        this.fwIoU = all == 0 ? Double.NaN : fw;
    }

    /** Computes the metrics of {@code matrix} (a snapshot: later additions are not seen). */
    public static Metrics of(ConfusionMatrix matrix) {
        return new Metrics(matrix);
    }

    /** The number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** Number of counted pixels (ignored pixels excluded). */
    public long totalPixels() {
        return total;
    }

    /** Ground-truth pixels of class {@code k}. */
    public long gtPixels(int k) {
        return gtPixels[k];
    }

    /** IoU of class {@code k}: TP / (TP + FP + FN), NaN if the class is absent from both. */
    public double iou(int k) {
        return iou[k];
    }

    /** Per-class IoU, a copy; see {@link #iou(int)}. */
    public double[] ious() {
        return iou.clone();
    }

    /** Accuracy (recall) of class {@code k}: TP / (TP + FN), NaN if absent from the ground truth. */
    public double classAccuracy(int k) {
        return accuracy[k];
    }

    /** Per-class accuracy, a copy; see {@link #classAccuracy(int)}. */
    public double[] classAccuracies() {
        return accuracy.clone();
    }

    /** mIoU following {@link #MIOU_RULE}; NaN when no pixel was counted. */
    public double meanIoU() {
        return meanIoU;
    }

    /** How many classes mIoU averages over (those with a defined IoU). */
    public int classesInMeanIoU() {
        return classesInMeanIoU;
    }

    /** Correct pixels over counted pixels; NaN when none was counted. */
    public double pixelAccuracy() {
        return pixelAccuracy;
    }

    /** Mean class accuracy following {@link #MEAN_ACCURACY_RULE}; NaN when no pixel was counted. */
    public double meanAccuracy() {
        return meanAccuracy;
    }

    /**
     * Frequency-weighted IoU: sum over classes of (ground-truth pixels of the class / counted
     * pixels) x IoU; NaN when no pixel was counted.
     */
    public double frequencyWeightedIoU() {
        return fwIoU;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }
}
