package dev.bisenet.spec;

/**
 * The network's size: the base model of the paper, or BiSeNetV2-Large.
 *
 * <p>The paper says only that alpha scales channel capacity and d the number of layers. This
 * project's definition (see the reference notes): alpha multiplies every inner width of both
 * branches, the BGA and the heads (not the 3 input channels, not the class count); d multiplies
 * the number of stride-1 GE layers of each semantic stage (S3 1 -> 3, S4 1 -> 3, S5 3 -> 9).
 */
public enum Variant {
    /** Table 1 of the paper, in the layout of the public checkpoints. */
    BASE(1, 1),
    /** alpha = 2.0, d = 3.0 (paper: 75.8 mIoU on Cityscapes val). No public checkpoint exists. */
    LARGE(2, 3);

    private final int alpha;
    private final int depth;

    Variant(int alpha, int depth) {
        this.alpha = alpha;
        this.depth = depth;
    }

    /** Width multiplier alpha (integer for both variants, so widths stay exact). */
    public int alpha() {
        return alpha;
    }

    /** Depth multiplier d for the stride-1 GE layers. */
    public int depth() {
        return depth;
    }

    /** A base width scaled by alpha. */
    public int width(int base) {
        return base * alpha;
    }

    /** The width of the segmentation head's 3x3 conv by default: 1024 (the reference) times alpha. */
    public int defaultHeadWidth() {
        return width(1024);
    }
}
