package dev.bisenet.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * Renders evaluation results as a text table, JSON or CSV, with undefined values (classes absent
 * from ground truth and prediction) shown as "n/a", JSON null or an empty CSV field, never as NaN.
 *
 * <p>The table shows percentages with 2 decimals; JSON and CSV carry fractions in [0, 1] at full
 * precision.
 */
public final class EvalReport {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> classNames;
    private final Metrics metrics;
    private final int numImages;
    private final Mode mode;
    private final double scale;
    private final String split;
    private final String checkpoint;

    /**
     * @param classNames one per class, in class-index order
     * @param split the evaluated split ({@code val}, {@code test}), or null if unknown
     * @param checkpoint the evaluated weights (a path), or null if unknown
     */
    public EvalReport(List<String> classNames, Metrics metrics, int numImages, Mode mode,
            double scale, String split, String checkpoint) {
        if (classNames.size() != metrics.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for "
                    + metrics.numClasses() + " classes");
        }
        this.classNames = List.copyOf(classNames);
        this.metrics = metrics;
        this.numImages = numImages;
        this.mode = mode;
        this.scale = scale;
        this.split = split;
        this.checkpoint = checkpoint;
    }

    /** A report of an {@link Evaluator} result run with {@code options}. */
    public static EvalReport of(List<String> classNames, Evaluator.Result result,
            EvalOptions options, String split, String checkpoint) {
        return new EvalReport(classNames, result.metrics(), result.numImages(), options.mode(),
                options.scale(), split, checkpoint);
    }

    /** A text table: one line per class with its IoU in percent, then the summary lines. */
    public String toTable() {
        int nameWidth = "pixel accuracy".length();
        for (String n : classNames) {
            nameWidth = Math.max(nameWidth, n.length());
        }
        String row = "%-" + nameWidth + "s  %7s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "mode %s (%s), scale %s, %d images%s%s%n",
                mode.cliName(), mode.description(), formatScale(scale), numImages,
                split == null ? "" : ", split " + split,
                checkpoint == null ? "" : ", checkpoint " + checkpoint));
        sb.append(String.format(Locale.ROOT, row, "class", "IoU (%)"));
        for (int k = 0; k < classNames.size(); k++) {
            sb.append(String.format(Locale.ROOT, row, classNames.get(k),
                    percent(metrics.iou(k))));
        }
        sb.append(String.format(Locale.ROOT, row, "mIoU", percent(metrics.meanIoU())));
        sb.append(String.format(Locale.ROOT, row, "pixel accuracy",
                percent(metrics.pixelAccuracy())));
        sb.append(String.format(Locale.ROOT, row, "mean accuracy",
                percent(metrics.meanAccuracy())));
        sb.append(String.format(Locale.ROOT, row, "fwIoU",
                percent(metrics.frequencyWeightedIoU())));
        sb.append(String.format(Locale.ROOT, "mIoU: %s (%d of %d classes)%n", Metrics.MIOU_RULE,
                metrics.classesInMeanIoU(), metrics.numClasses()));
        return sb.toString();
    }

    /** The JSON document; every ratio is a fraction or null when undefined. */
    public ObjectNode toJsonTree() {
        ObjectNode root = JSON.createObjectNode();
        putRatio(root, "miou", metrics.meanIoU());
        putRatio(root, "pixel_accuracy", metrics.pixelAccuracy());
        putRatio(root, "mean_accuracy", metrics.meanAccuracy());
        putRatio(root, "fw_iou", metrics.frequencyWeightedIoU());
        ArrayNode classes = root.putArray("classes");
        for (int k = 0; k < classNames.size(); k++) {
            ObjectNode c = classes.addObject();
            c.put("name", classNames.get(k));
            putRatio(c, "iou", metrics.iou(k));
        }
        root.put("mode", mode.cliName());
        root.put("scale", scale);
        root.put("split", split);
        root.put("checkpoint", checkpoint);
        root.put("num_images", numImages);
        root.put("miou_rule", Metrics.MIOU_RULE);
        return root;
    }

    /** {@link #toJsonTree()} as indented text. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e); // trees always write
        }
    }

    /**
     * CSV: a {@code class,iou} header, one row per class, then rows {@code miou},
     * {@code pixel_accuracy}, {@code mean_accuracy} and {@code fw_iou}; fractions with 6
     * decimals, an empty field when undefined.
     */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("class,iou\n");
        for (int k = 0; k < classNames.size(); k++) {
            csvRow(sb, classNames.get(k), metrics.iou(k));
        }
        csvRow(sb, "miou", metrics.meanIoU());
        csvRow(sb, "pixel_accuracy", metrics.pixelAccuracy());
        csvRow(sb, "mean_accuracy", metrics.meanAccuracy());
        csvRow(sb, "fw_iou", metrics.frequencyWeightedIoU());
        return sb.toString();
    }

    /** A fraction as a percentage with 2 decimals, or "n/a" when undefined. */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a"
                : String.format(Locale.ROOT, "%.2f", fraction * 100);
    }

    private static void putRatio(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    private static void csvRow(StringBuilder sb, String name, double value) {
        sb.append(csvField(name)).append(',');
        if (Double.isFinite(value)) {
            sb.append(String.format(Locale.ROOT, "%.6f", value));
        }
        sb.append('\n');
    }

    // RFC 4180 quoting for class names with commas or quotes; hand-written because the
    // Jackson CSV module is not a dependency and one field needs it.
    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0
                && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String formatScale(double s) {
        return s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s);
    }
}
