package dev.bisenet.eval;

/**
 * What a protocol makes of one image: per-pixel class scores and the label map taken from them.
 *
 * @param numClasses C
 * @param height image height H
 * @param width image width W
 * @param scores shape (C, H, W), row-major; logits or probabilities as {@code kind} says
 * @param kind what the scores are
 * @param labels shape (H, W), the argmax over classes (ties to the lowest class index)
 */
public record Prediction(int numClasses, int height, int width, float[] scores, Kind kind,
        int[] labels) {

    /** Whether scores are raw logits or probabilities. */
    public enum Kind {
        /** Raw network outputs (single scale, where softmax would not change the argmax). */
        LOGITS,
        /** Softmax probabilities, averaged over windows or passes; they sum to 1 per pixel. */
        PROBABILITIES
    }

    public Prediction {
        long plane = (long) height * width;
        if (scores.length != numClasses * plane || labels.length != plane) {
            throw new IllegalArgumentException("prediction arrays do not match " + numClasses
                    + "x" + height + "x" + width);
        }
    }
}
