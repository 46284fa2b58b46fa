package dev.bisenet.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.bisenet.model.Variant;
import dev.bisenet.util.UserException;
import java.util.Locale;

/**
 * One training run's settings, resolved (preset defaults, then command-line overrides) and
 * validated here. Stored with every checkpoint so a run can be resumed and audited.
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
        float[] std) {

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
    }

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

    /** A readable multi-line description, printed at the start of a run. */
    public String describe() {
        return String.format(Locale.ROOT,
                "preset %s, data %s%n  iterations %d, batch %d, crop %dx%d (HxW), scale %.2f..%.2f%n"
                        + "  lr %.4g (heads x10), warmup %d then poly 0.9, weight decay %.1e, momentum 0.9, %s loss%n"
                        + "  model %s%s, start %s%n  eval every %s, checkpoint every %d (keep %d), seed %d, threads %d + %d loader%n"
                        + "  normalisation mean %s std %s",
                preset, data, iters, batch, cropHeight, cropWidth, scaleMin, scaleMax, lr, warmup, weightDecay,
                ohem ? "OHEM" : "cross-entropy", large ? "BiSeNetV2-Large" : "BiSeNetV2",
                headWidth == 0 ? "" : " with a " + headWidth + "-wide head",
                init == null ? "from scratch (paper initialisation)" : init,
                evalEvery == 0 ? "never" : evalEvery + " iterations", checkpointEvery, keepLast, seed, threads, loaderThreads,
                java.util.Arrays.toString(mean), java.util.Arrays.toString(std));
    }
}
