package dev.bisenet.model;

/**
 * A block holding convolutions followed by BatchNorm, which it can run folded ({@link Fold}) in
 * inference. {@link BiSeNetV2} calls these, under its lock, for every such block it contains.
 */
interface Foldable {

    /** Computes the folds from the current weights; inference forwards use them until {@link #unfold}. */
    void fold();

    /** Drops the folds (their arrays are freed); forwards run conv and BatchNorm apart again. */
    void unfold();
}
