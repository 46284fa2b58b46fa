package dev.bisenet.model;

/** What the network returns from a forward pass. */
public enum OutputMode {
    /** Main logits and the four booster-head logits, all at the input size (training only). */
    TRAIN,
    /** Main logits (N, C, H, W) at the input size. */
    EVAL,
    /** Class indices (N, H, W), argmax computed inside the graph. */
    PREDICT
}
