package dev.bisenet.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.bisenet.spec.Variant;
import dev.bisenet.util.UserException;
import java.util.Locale;

/**
 * One training run's settings, resolved (preset defaults, then command-line overrides) and
 * validated here. Stored with every checkpoint so a run can be resumed and audited. Build one
 * with {@link #defaults} and override what differs; {@link #toBuilder} changes a stored one.
 *
 * @param preset dataset preset name (camvid, cityscapes, coco, ade20k, custom)
 * @param data dataset root folder
 * @param iters total iterations of the run (also after --resume)
 * @param batch images per iteration (at least 2: the CE block's BatchNorm sees one value per
 *     channel per image)
 * @param cropHeight training crop height, a multiple of 32
 * @param cropWidth training crop width, a multiple of 32
 * @param scaleMin smallest random scale
 * @param scaleMax largest random scale
 * @param lr base learning rate (heads get 10x)
 * @param weightDecay L2 on conv weights (not on 1-D parameters)
 * @param warmup warmup iterations
 * @param ohem OHEM cross entropy (true) or plain cross entropy
 * @param large BiSeNetV2-Large
 * @param headWidth width of the segmentation head's 3x3 conv; 0 means the variant's (1024, as the
 *     reference checkpoints; a narrower head is faster but not checkpoint-compatible with them)
 * @param init checkpoint to start from, or null for the paper's initialisation
 * @param evalEvery validate every N iterations (0: never)
 * @param checkpointEvery write a checkpoint every N iterations
 * @param keepLast checkpoints kept besides the best and the final one
 * @param seed seed of all randomness (data order, augmentation, dropout, initialisation)
 * @param threads engine threads
 * @param loaderThreads data loading threads
 * @param mean normalisation mean (RGB / 255)
 * @param std normalisation std
 * @param classWeights per-class loss weights ({@code --class-weights}), or null for none (the
 *     reference's unweighted loss; configs stored before the option existed read as null)
 * @param classCrops probability that a training crop is placed on a class drawn uniformly among the
 *     sample's ({@code --class-crops}; 0, the reference's uniformly placed crops, and what configs
 *     stored before the option existed read as)
 * @param jitter strength of the colour jitter ({@code --jitter}): brightness, contrast and saturation
 *     each drawn from [max(0, 1 - j), 1 + j]; 0 turns it off. Null reads as the reference's 0.4 (what
 *     configs stored before the option existed held)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainConfig(
        String preset,
        String data,
        int iters,
        int batch,
        int cropHeight,
        int cropWidth,
        double scaleMin,
        double scaleMax,
        double lr,
        double weightDecay,
        int warmup,
        boolean ohem,
        boolean large,
        int headWidth,
        String init,
        int evalEvery,
        int checkpointEvery,
        int keepLast,
        long seed,
        int threads,
        int loaderThreads,
        float[] mean,
        float[] std,
        float[] classWeights,
        double classCrops,
        Double jitter) {

    public TrainConfig {
        require(headWidth >= 0, "--head-width must be positive, got " + headWidth);
        require(iters >= 1, "--iters must be at least 1, got " + iters);
        require(batch >= 2, "--batch " + batch + " is too small: BiSeNetV2 needs at least 2 images per batch in training"
                + " (the context block's BatchNorm sees one value per channel per image, and batch statistics of one value are undefined)");
        require(cropHeight > 0 && cropWidth > 0 && cropHeight % 32 == 0 && cropWidth % 32 == 0,
                "--crop " + cropHeight + "x" + cropWidth + " is not a multiple of 32 in both dimensions (height x width); try "
                        + round32(cropHeight) + "x" + round32(cropWidth));
        require(scaleMin > 0 && scaleMax >= scaleMin, "scale range must satisfy 0 < min <= max, got " + scaleMin + ".." + scaleMax);
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        require(weightDecay >= 0, "weight decay must be >= 0, got " + weightDecay);
        require(evalEvery >= 0, "--eval-every must be >= 0 (0 turns evaluation off), got " + evalEvery);
        require(checkpointEvery >= 1, "--checkpoint-every must be at least 1, got " + checkpointEvery);
        require(keepLast >= 1, "--keep must be at least 1, got " + keepLast);
        require(mean != null && mean.length == 3 && std != null && std.length == 3, "mean and std need 3 values each");
        require(classCrops >= 0 && classCrops <= 1, "--class-crops is a probability from 0 to 1, got " + classCrops);
        if (jitter == null) {
            jitter = REFERENCE_JITTER;
        }
        require(jitter >= 0 && jitter <= 1, "--jitter is a strength from 0 (off) to 1, got " + jitter
                + " (the reference's recipe uses 0.4)");
        if (classWeights != null) {
            for (float w : classWeights) {
                require(w >= 0 && Float.isFinite(w), "class weights must be finite numbers >= 0, got " + java.util.Arrays.toString(classWeights));
            }
        }
    }

    /**
     * The defaults of a preset ({@link TrainDefaults}) and of the recipe, to override field by
     * field: {@code TrainConfig.defaults("camvid").iters(3500).crop(320, 320).build()}.
     */
    public static Builder defaults(String preset) {
        TrainDefaults d = TrainDefaults.forPreset(preset);
        Builder b = new Builder();
        b.preset = preset;
        b.iters = d.iters();
        b.batch = d.batch();
        b.cropHeight = d.cropHeight();
        b.cropWidth = d.cropWidth();
        b.scaleMin = d.scaleMin();
        b.scaleMax = d.scaleMax();
        b.lr = d.lr();
        b.weightDecay = d.weightDecay();
        b.evalEvery = d.evalEvery();
        return b;
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.preset = preset; b.data = data; b.iters = iters; b.batch = batch; b.cropHeight = cropHeight;
        b.cropWidth = cropWidth; b.scaleMin = scaleMin; b.scaleMax = scaleMax; b.lr = lr; b.weightDecay = weightDecay;
        b.warmup = warmup; b.ohem = ohem; b.large = large; b.headWidth = headWidth; b.init = init;
        b.evalEvery = evalEvery; b.checkpointEvery = checkpointEvery; b.keepLast = keepLast; b.seed = seed;
        b.threads = threads; b.loaderThreads = loaderThreads; b.mean = mean; b.std = std; b.classWeights = classWeights;
        b.classCrops = classCrops; b.jitter = jitter;
        return b;
    }

    /** Overrides on top of defaults; {@link #build} validates (see the record's constructor). */
    public static final class Builder {
        private String preset = "custom";
        private String data = "";
        private int iters;
        private int batch;
        private int cropHeight;
        private int cropWidth;
        private double scaleMin;
        private double scaleMax;
        private double lr;
        private double weightDecay;
        private Integer warmup; // null: min(1000, iters / 5)
        private boolean ohem = true;
        private boolean large;
        private int headWidth;
        private String init;
        private int evalEvery;
        private int checkpointEvery = 100;
        private int keepLast = 3;
        private long seed = 1;
        private int threads;
        private int loaderThreads = 1;
        private float[] mean = {0.485f, 0.456f, 0.406f}; // ImageNet, as the reference when a dataset says nothing
        private float[] std = {0.229f, 0.224f, 0.225f};
        private float[] classWeights;
        private double classCrops;
        private double jitter = REFERENCE_JITTER;

        private Builder() {}

        public Builder data(String v) { data = v; return this; }
        public Builder iters(int v) { iters = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        /** Crop height x width. */
        public Builder crop(int height, int width) { cropHeight = height; cropWidth = width; return this; }
        public Builder scale(double min, double max) { scaleMin = min; scaleMax = max; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }
        public Builder ohem(boolean v) { ohem = v; return this; }
        public Builder large(boolean v) { large = v; return this; }
        /** 0: the variant's width. */
        public Builder headWidth(int v) { headWidth = v; return this; }
        public Builder init(String v) { init = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder keepLast(int v) { keepLast = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder loaderThreads(int v) { loaderThreads = v; return this; }
        public Builder normalisation(float[] m, float[] s) { mean = m; std = s; return this; }
        /** Per-class loss weights; null for none. */
        public Builder classWeights(float[] w) { classWeights = w; return this; }
        /** Probability that a crop is placed on a class (0: the reference's crops). */
        public Builder classCrops(double p) { classCrops = p; return this; }
        /** Colour jitter strength (0.4, the reference's, unless set; 0: off). */
        public Builder jitter(double j) { jitter = j; return this; }

        public TrainConfig build() {
            return new TrainConfig(preset, data, iters, batch, cropHeight, cropWidth, scaleMin, scaleMax, lr, weightDecay,
                    warmup != null ? warmup : Math.min(1000, iters / 5), ohem, large, headWidth, init, evalEvery,
                    checkpointEvery, keepLast, seed, threads, loaderThreads, mean, std, classWeights, classCrops, jitter);
        }
    }

    /** The reference's colour jitter: brightness, contrast and saturation each in [0.6, 1.4]. */
    public static final double REFERENCE_JITTER = 0.4;

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserException(message);
        }
    }

    private static int round32(int v) {
        return Math.max(32, Math.round(v / 32f) * 32);
    }

    /** The network variant this run trains. */
    public Variant variant() {
        return large ? Variant.LARGE : Variant.BASE;
    }

    /** The head width the network is built with: {@code headWidth}, or the variant's when 0. */
    public int modelHeadWidth() {
        return headWidth > 0 ? headWidth : variant().defaultHeadWidth();
    }

    /**
     * The augmentation of this run's training batches: its crop, scale range and normalisation,
     * with colour jitter of strength {@code jitter} (brightness, contrast and saturation; the
     * reference's recipe has 0.4), and crops placed on classes with probability {@code classCrops}.
     */
    public JointTransform.Params augmentation() {
        return new JointTransform.Params(cropHeight, cropWidth, scaleMin, scaleMax, jitter.floatValue(), mean, std, classCrops);
    }

    /** A readable multi-line description, printed at the start of a run. */
    public String describe() {
        return String.format(Locale.ROOT,
                "preset %s, data %s%n  iterations %d, batch %d, crop %dx%d (HxW)%s, scale %.2f..%.2f%s%n"
                        + "  lr %.4g (heads x10), warmup %d then poly 0.9, weight decay %.1e, momentum 0.9, %s loss%n"
                        + "  model %s%s, start %s%n  eval every %s, checkpoint every %d (keep %d), seed %d, threads %d + %d loader%n"
                        + "  normalisation mean %s std %s%s",
                preset, data, iters, batch, cropHeight, cropWidth,
                classCrops == 0 ? "" : String.format(Locale.ROOT, " placed on a class with p %.2f", classCrops), scaleMin, scaleMax,
                jitter == REFERENCE_JITTER ? "" : jitter == 0 ? ", no colour jitter" : String.format(Locale.ROOT, ", colour jitter %.2f", jitter), lr, warmup, weightDecay,
                ohem ? "OHEM" : "cross-entropy", large ? "BiSeNetV2-Large" : "BiSeNetV2",
                headWidth == 0 ? "" : " with a " + headWidth + "-wide head",
                init == null ? "from scratch (paper initialisation)" : init,
                evalEvery == 0 ? "never" : evalEvery + " iterations", checkpointEvery, keepLast, seed, threads, loaderThreads,
                java.util.Arrays.toString(mean), java.util.Arrays.toString(std),
                classWeights == null ? "" : String.format(Locale.ROOT, "%n  class weights in the loss %s", weights(classWeights)));
    }

    private static String weights(float[] w) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < w.length; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", w[i]));
        return b.append(']').toString();
    }
}
