package dev.bisenet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Per-pixel softmax cross entropy with an ignore label, optionally with online hard example
 * mining (OHEM) as in the reference: keep the pixels whose loss exceeds -ln(0.7) (the model gives
 * the true class less than 70%), but at least 1/16 of the valid pixels (the hardest ones), and
 * average over those.
 *
 * <p>Labels (N, H, W) int64 class indices; predictions (N, C, H, W) logits.
 */
public final class OhemCrossEntropyLoss extends Loss {

    /** The reference's score threshold: pixels predicted below 0.7 count as hard. */
    public static final double SCORE_THRESHOLD = 0.7;
    /** The reference keeps at least this share of valid pixels. */
    public static final int MIN_KEPT_DIVISOR = 16;

    private final int ignoreIndex;
    private final boolean ohem;
    private final float lossThreshold = (float) -Math.log(SCORE_THRESHOLD);

    /**
     * @param ohem true for OHEM, false for plain cross entropy averaged over valid pixels
     */
    public OhemCrossEntropyLoss(String name, int ignoreIndex, boolean ohem) {
        super(name);
        this.ignoreIndex = ignoreIndex;
        this.ohem = ohem;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.singletonOrThrow();                       // (N, C, H, W)
        NDArray lab = labels.singletonOrThrow();                               // (N, H, W)
        NDArray valid = lab.neq(ignoreIndex);                                  // (N, H, W) bool
        NDArray safe = lab.mul(valid.toType(DataType.INT64, false)).expandDims(1); // ignore -> class 0
        NDArray nll = logits.logSoftmax(1).gather(safe, 1).squeeze(1).neg();   // (N, H, W)
        NDArray loss = nll.mul(valid.toType(DataType.FLOAT32, false)).flatten(); // ignored pixels 0
        long nValid = valid.sum().getLong();
        if (nValid == 0) {
            return loss.sum().mul(0); // nothing to learn from, but keep the graph connected
        }
        if (!ohem) {
            return loss.sum().div(nValid);
        }
        int nMin = (int) (nValid / MIN_KEPT_DIVISOR);
        NDArray hard = loss.gt(lossThreshold);
        long nHard = hard.sum().getLong();
        if (nHard < nMin) {
            return loss.topK(nMin, 0, true, false).get(0).mean();
        }
        if (nHard == 0) {
            return loss.sum().mul(0);
        }
        return loss.booleanMask(hard).mean();
    }
}
