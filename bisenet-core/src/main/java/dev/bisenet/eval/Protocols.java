package dev.bisenet.eval;

import dev.bisenet.infer.Backend;
import dev.bisenet.image.Padding;
import dev.bisenet.util.UserException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The evaluation protocols (see {@link Mode}) that turn one normalised image of any size into a
 * {@link Prediction}, calling the network through a {@link Backend}.
 *
 * <p>Every network call follows the padding rule ({@link Padding}): inputs are padded with zeros
 * at the bottom and right to multiples of 32 and the logits cropped back. Resampling is bilinear
 * with align_corners=False, sizes are {@code round(H * s) x round(W * s)}. What differs from the
 * reference PyTorch evaluation script, and why:
 * <ul>
 *   <li>MSF: the reference resizes each scaled image once more to a multiple of 32 and uses
 *       align_corners=True; here the scaled image is padded instead (the same rule as single
 *       scale, so 1.0 in the set is exactly SS) and align_corners=False matches the network's
 *       own upsampling.
 *   <li>SSC: the reference pads an image smaller than the crop on all sides; here the padding
 *       goes bottom/right as everywhere else. The stride is 2/3 of the crop rounded up, as in
 *       the reference. Softmax probabilities (not logits) are averaged over overlapping windows,
 *       as the reference sums probabilities; averaging rather than summing keeps them
 *       probabilities and does not change the argmax.
 * </ul>
 *
 * <p>Not thread-safe: it reuses input buffers between calls, and a backend serves one thread.
 */
public final class Protocols {

    /** The scales of {@link Mode#MSF}, each also run mirrored. */
    public static final List<Double> MSF_SCALES = List.of(0.5, 0.75, 1.0, 1.25, 1.5, 1.75);

    private static final int CHANNELS = 3;
    // scratch slots: per MSF scale {resized, flipped, padded}, then the SSC ones
    private static final int SLOTS_PER_SCALE = 3;
    private static final int SLOT_CANVAS = SLOTS_PER_SCALE * 8;
    private static final int SLOT_WINDOW = SLOT_CANVAS + 1;

    private final Backend backend;
    private final EvalOptions options;
    private final int classes;
    // network-side input buffers, reused while image sizes repeat (as they do in a dataset)
    private final float[][] scratch = new float[SLOT_WINDOW + 1][];

    /** Protocols running {@code backend} as {@code options} say. */
    public Protocols(Backend backend, EvalOptions options) {
        if (options.mode() == Mode.SSC && !options.hasCrop()) {
            throw new UserException("mode ssc needs a crop size (height x width), normally the "
                    + "training crop");
        }
        this.backend = backend;
        this.options = options;
        this.classes = backend.numClasses();
        if (classes <= 0) {
            throw new IllegalStateException("backend " + backend.name() + " reports "
                    + classes + " classes");
        }
    }

    /** The options this runs with. */
    public EvalOptions options() {
        return options;
    }

    /**
     * Predicts one image.
     *
     * @param chw normalised image, shape (3, height, width), any height and width
     */
    public Prediction predict(float[] chw, int height, int width) {
        Prediction[] result = new Prediction[1];
        submit(chw, height, width, Runnable::run, p -> result[0] = p);
        return result[0];
    }

    /**
     * Runs the network part on the calling thread and hands the post-processing (resampling,
     * softmax, argmax) to {@code post} as tasks, the last of which passes the prediction to
     * {@code sink}. {@code post} must run tasks one at a time in submission order (a
     * single-thread executor, or {@code Runnable::run}); then the tasks of one image never race
     * on its accumulator and the caller can start the next image while they run. The arrays the
     * backend returns must not be reused by it, since tasks read them later.
     */
    void submit(float[] chw, int height, int width, Executor post, Consumer<Prediction> sink) {
        if (height <= 0 || width <= 0 || chw.length != (long) CHANNELS * height * width) {
            throw new IllegalArgumentException("image has " + chw.length + " values, expected 3x"
                    + height + "x" + width);
        }
        double s = options.scale();
        switch (options.mode()) {
            case SS -> scalePasses(chw, height, width, new double[] {s}, false, post, sink);
            case MSF -> {
                double[] scales = new double[MSF_SCALES.size()];
                for (int i = 0; i < scales.length; i++) {
                    scales[i] = s * MSF_SCALES.get(i);
                }
                scalePasses(chw, height, width, scales, true, post, sink);
            }
            case SSC -> slidingCrops(chw, height, width, post, sink);
            default -> throw new IllegalStateException("unhandled mode " + options.mode());
        }
    }

    /** round(size * scale), at least 1: the size an image side takes at a scale. */
    public static int scaledSize(int size, double scale) {
        return (int) Math.max(1, Math.round(size * scale));
    }

    // SS and MSF: one network pass per scale (and mirror), each resampled back to H x W. A single
    // unflipped pass keeps logits; several passes sum softmax probabilities and divide by the
    // pass count at the end.
    private void scalePasses(float[] chw, int h, int w, double[] scales, boolean flip,
            Executor post, Consumer<Prediction> sink) {
        final int c = classes;
        final boolean probabilities = scales.length > 1 || flip;
        final int passes = scales.length * (flip ? 2 : 1);
        final float[] acc = new float[c * h * w]; // (C, H, W), written only by post tasks
        for (int i = 0; i < scales.length; i++) {
            int sh = scaledSize(h, scales[i]);
            int sw = scaledSize(w, scales[i]);
            float[] image = sh == h && sw == w ? chw
                    : Bilinear.resize(chw, CHANNELS, h, w, sh, sw,
                            buffer(slot(i, 0), CHANNELS * sh * sw));
            for (int f = 0; f < (flip ? 2 : 1); f++) {
                boolean mirrored = f == 1;
                float[] input = mirrored
                        ? ScoreOps.flip(image, CHANNELS, sh, sw,
                                buffer(slot(i, 1), CHANNELS * sh * sw))
                        : image;
                int ph = Padding.ceil32(sh);
                int pw = Padding.ceil32(sw);
                float[] padded = ph == sh && pw == sw ? input
                        : Padding.pad(input, CHANNELS, sh, sw, ph, pw,
                                buffer(slot(i, 2), CHANNELS * ph * pw));
                float[] logits = run(padded, ph, pw); // (C, ph, pw)
                boolean last = i == scales.length - 1 && f == (flip ? 1 : 0);
                post.execute(() -> {
                    // the valid (sh, sw) region of the padded logits, read mirrored when the
                    // input was flipped, resampled to (H, W)
                    Bilinear rows = new Bilinear(logits, 0, c, sh, sw, pw, ph * pw, h, w,
                            mirrored);
                    if (probabilities) {
                        float[] row = new float[c * w];
                        float[] max = new float[w];
                        float[] sum = new float[w];
                        float[] tmp = new float[w];
                        for (int y = 0; y < h; y++) {
                            rows.row(y, row, 0, w);
                            ScoreOps.softmaxAdd(row, 0, w, c, w, acc, y * w, h * w, max, sum,
                                    tmp);
                        }
                    } else {
                        for (int y = 0; y < h; y++) {
                            rows.row(y, acc, y * w, h * w);
                        }
                    }
                    if (last) {
                        if (probabilities) {
                            ScoreOps.scale(acc, 1f / passes);
                        }
                        sink.accept(new Prediction(c, h, w, acc,
                                probabilities ? Prediction.Kind.PROBABILITIES
                                        : Prediction.Kind.LOGITS,
                                ScoreOps.argmax(acc, c, h, w)));
                    }
                });
            }
        }
    }

    // SSC: crops of the crop size slide over the (scaled) image padded up to at least the crop;
    // each pixel's probability is the mean over the windows that cover it.
    private void slidingCrops(float[] chw, int h, int w, Executor post,
            Consumer<Prediction> sink) {
        final int c = classes;
        final int sh = scaledSize(h, options.scale());
        final int sw = scaledSize(w, options.scale());
        float[] image = sh == h && sw == w ? chw
                : Bilinear.resize(chw, CHANNELS, h, w, sh, sw, buffer(slot(0, 0),
                        CHANNELS * sh * sw));
        final int cropH = options.cropHeight();
        final int cropW = options.cropWidth();
        final int ph = Math.max(sh, cropH); // canvas size
        final int pw = Math.max(sw, cropW);
        float[] canvas = ph == sh && pw == sw ? image
                : Padding.pad(image, CHANNELS, sh, sw, ph, pw, buffer(SLOT_CANVAS,
                        CHANNELS * ph * pw));
        final int[] tops = windowStarts(ph, cropH);
        final int[] lefts = windowStarts(pw, cropW);
        final int inH = Padding.ceil32(cropH); // network input size of a window
        final int inW = Padding.ceil32(cropW);
        final float[] acc = new float[c * ph * pw]; // (C, ph, pw), written only by post tasks
        for (int top : tops) {
            for (int left : lefts) {
                float[] window = ScoreOps.window(canvas, CHANNELS, ph, pw, top, left, cropH,
                        cropW, inH, inW, buffer(SLOT_WINDOW, CHANNELS * inH * inW));
                float[] logits = run(window, inH, inW); // (C, inH, inW)
                post.execute(() -> {
                    float[] max = new float[cropW];
                    float[] sum = new float[cropW];
                    float[] tmp = new float[cropW];
                    for (int y = 0; y < cropH; y++) {
                        ScoreOps.softmaxAdd(logits, y * inW, inH * inW, c, cropW, acc,
                                (top + y) * pw + left, ph * pw, max, sum, tmp);
                    }
                });
            }
        }
        post.execute(() -> {
            // windows form a grid, so a pixel's cover count is (rows covering y) x (columns
            // covering x); only the (sh, sw) image region is needed
            int[] rowCover = cover(tops, cropH, sh);
            int[] colCover = cover(lefts, cropW, sw);
            float[] inverse = new float[sw];
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < sw; x++) {
                    inverse[x] = 1f / (rowCover[y] * colCover[x]);
                }
                for (int k = 0; k < c; k++) {
                    int o = k * ph * pw + y * pw;
                    for (int x = 0; x < sw; x++) {
                        acc[o + x] *= inverse[x];
                    }
                }
            }
            float[] scores = new float[c * h * w];
            Bilinear rows = new Bilinear(acc, 0, c, sh, sw, pw, ph * pw, h, w, false);
            for (int y = 0; y < h; y++) {
                rows.row(y, scores, y * w, h * w);
            }
            sink.accept(new Prediction(c, h, w, scores, Prediction.Kind.PROBABILITIES,
                    ScoreOps.argmax(scores, c, h, w)));
        });
    }

    /**
     * Top (or left) coordinates of sliding windows of size {@code crop} over {@code size >= crop}:
     * stride ceil(2/3 crop), as many windows as needed to reach the end, the last one moved back
     * to end exactly at the border.
     */
    static int[] windowStarts(int size, int crop) {
        if (crop <= 0 || size < crop) {
            throw new IllegalArgumentException("window " + crop + " over " + size);
        }
        int stride = (2 * crop + 2) / 3;
        int n = size == crop ? 1 : (size - crop + stride - 1) / stride + 1;
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = Math.min(i * stride, size - crop);
        }
        return starts;
    }

    // How many windows starting at `starts` (length crop) cover each of the first `size` cells.
    private static int[] cover(int[] starts, int crop, int size) {
        int[] count = new int[size];
        for (int s : starts) {
            for (int i = s; i < Math.min(size, s + crop); i++) {
                count[i]++;
            }
        }
        return count;
    }

    private float[] run(float[] input, int h, int w) {
        float[] logits = backend.logits(input, 1, h, w);
        long expected = (long) classes * h * w;
        if (logits == null || logits.length != expected) {
            throw new IllegalStateException("backend " + backend.name() + " returned "
                    + (logits == null ? "null" : logits.length + " values") + " for a " + h
                    + "x" + w + " input, expected " + classes + "x" + h + "x" + w);
        }
        return logits;
    }

    private static int slot(int scaleIndex, int kind) {
        return scaleIndex * SLOTS_PER_SCALE + kind;
    }

    private float[] buffer(int slot, int size) {
        float[] b = scratch[slot];
        if (b == null || b.length != size) {
            b = new float[size];
            scratch[slot] = b;
        }
        return b;
    }
}
