package dev.bisenet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import dev.bisenet.model.PhaseLayout;

/**
 * Per-pixel softmax cross entropy with an ignore label, optionally with online hard example
 * mining (OHEM) as in the reference: keep the pixels whose loss exceeds -ln(0.7) (the model gives
 * the true class less than 70%), but at least 1/16 of the valid pixels (the hardest ones), and
 * average over those.
 *
 * <p>Labels (N, H, W) int64 class indices; predictions (N, C, H, W) logits, or logits in
 * {@link PhaseLayout} (N, C, fy, fx, H/fy, W/fx), for which the labels are rearranged to match
 * (every term is per pixel and OHEM ranks pixels by loss, so the order of pixels does not matter).
 */
public final class OhemCrossEntropyLoss extends Loss {

    /** The reference's score threshold: pixels predicted below 0.7 count as hard. */
    public static final double SCORE_THRESHOLD = 0.7;
    /** The reference keeps at least this share of valid pixels. */
    public static final int MIN_KEPT_DIVISOR = 16;

    private final int ignoreIndex;
    private final boolean ohem;
    private final float[] classWeights;
    private final float lossThreshold = (float) -Math.log(SCORE_THRESHOLD);

    /**
     * @param ohem true for OHEM, false for plain cross entropy averaged over valid pixels
     */
    public OhemCrossEntropyLoss(String name, int ignoreIndex, boolean ohem) {
        this(name, ignoreIndex, ohem, null);
    }

    /**
     * @param classWeights per-class weights, or null for the reference's unweighted loss. Hard
     *     pixels are still chosen by their unweighted loss (the reference's "true class below
     *     70%"); the kept pixels are then averaged with their class's weight, as PyTorch's
     *     weighted cross entropy: {@code sum(w_i l_i) / sum(w_i)}.
     */
    public OhemCrossEntropyLoss(String name, int ignoreIndex, boolean ohem, float[] classWeights) {
        super(name);
        this.ignoreIndex = ignoreIndex;
        this.ohem = ohem;
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.singletonOrThrow();                       // (N, C, H, W)
        NDArray lab = labels.singletonOrThrow();                               // (N, H, W)
        Shape s = logits.getShape();
        if (s.dimension() == 6) {                                              // (N, C, fy, fx, h, w)
            lab = PhaseLayout.labels(lab, s.get(2), s.get(3));                 // (N, fy, fx, h, w)
        }
        NDArray valid = lab.neq(ignoreIndex);                                  // (N, H, W) bool
        NDArray safe = lab.mul(valid.toType(DataType.INT64, false)).expandDims(1); // ignore -> class 0
        NDArray nll = logits.logSoftmax(1).gather(safe, 1).squeeze(1).neg();   // (N, H, W)
        NDArray loss = nll.mul(valid.toType(DataType.FLOAT32, false)).flatten(); // ignored pixels 0
        long nValid = valid.sum().getLong();
        if (nValid == 0) {
            return loss.sum().mul(0); // nothing to learn from, but keep the graph connected
        }
        // per-pixel weight of its class, 0 on ignored pixels; null: every pixel counts 1
        NDArray w = classWeights == null ? null : lab.getManager().create(classWeights)
                .take(safe.squeeze(1)).mul(valid.toType(DataType.FLOAT32, false)).flatten();
        if (!ohem) {
            return w == null ? loss.sum().div(nValid) : weightedMean(loss, w);
        }
        int nMin = (int) (nValid / MIN_KEPT_DIVISOR);
        NDArray hard = loss.gt(lossThreshold);
        long nHard = hard.sum().getLong();
        if (nHard < nMin) {
            NDList top = loss.topK(nMin, 0, true, false);
            return w == null ? top.get(0).mean() : weightedMean(top.get(0), w.take(top.get(1)));
        }
        if (nHard == 0) {
            return loss.sum().mul(0);
        }
        return w == null ? loss.booleanMask(hard).mean() : weightedMean(loss.booleanMask(hard), w.booleanMask(hard));
    }

    /** {@code sum(w l) / sum(w)}; a zero weight sum (only zero-weight classes kept) gives 0, graph kept. */
    private static NDArray weightedMean(NDArray loss, NDArray w) {
        NDArray total = w.sum();
        if (total.getFloat() <= 0) {
            return loss.sum().mul(0);
        }
        return loss.mul(w).sum().div(total);
    }
}
