package dev.bisenet.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Variant;

/**
 * BiSeNet V2 (Yu et al., arXiv 2004.02147) as a DJL block, in the layout of the public
 * checkpoints: a Detail Branch and a Semantic Branch joined by Bilateral Guided Aggregation,
 * a segmentation head, and four booster heads for training.
 *
 * <p>Input (N, 3, H, W), normalised RGB, H and W multiples of 32. What comes out depends on the
 * {@link OutputMode}: given at build time, or per call with the forward parameter
 * {@link #MODE}. A forward with {@code training = true} always returns the TRAIN outputs and
 * puts BatchNorm in training mode; one with {@code training = false} on a TRAIN-mode network
 * returns the EVAL logits (validation during training). A training forward with the parameter
 * {@link PhaseLayout#PARAM} returns each head's logits in phase layout, (N, C, f, f, H/f, W/f),
 * which the training loss reads without rearranging the logits.
 *
 * <p>Inference forwards run each convolution with its BatchNorm folded in ({@link Fold}), made
 * from the weights at the first inference forward. A training forward, {@link Weights#load} and
 * {@link Init#fromScratch} drop the folds; code that changes parameters any other way calls
 * {@link #parametersChanged}.
 */
public final class BiSeNetV2 extends AbstractBlock {

    /** The network a {@link ModelSpec} describes, in {@code mode}. */
    public static BiSeNetV2 of(ModelSpec spec, OutputMode mode) {
        return builder()
                .setNumClasses(spec.numClasses())
                .optVariant(spec.variant())
                .optHeadWidth(spec.headWidth())
                .optBoosters(spec.boosters())
                .optOutputMode(mode)
                .build();
    }

    /**
     * A DJL model holding a freshly built, initialised network (parameters allocated, values
     * from DJL's default initialisers: load weights or call {@link Init#fromScratch} next).
     */
    public static Model newModel(ModelSpec spec, OutputMode mode) {
        BiSeNetV2 net = of(spec, mode);
        Model model = Model.newInstance("bisenetv2", Device.cpu(), "PyTorch");
        model.setBlock(net);
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return model;
    }

    /** Forward parameter that overrides the output mode of one call. */
    public static final String MODE = "mode";

    private final int numClasses;
    private final Variant variant;
    private final int headWidth;
    private final boolean boosters;
    private final OutputMode mode;
    private volatile boolean folded;
    private volatile boolean foldBatchNorm = Fold.ENABLED;

    private final DetailBranch detail;
    private final SegmentBranch segment;
    private final BGALayer bga;
    private final SegmentHead head;
    private final SegmentHead aux2;
    private final SegmentHead aux3;
    private final SegmentHead aux4;
    private final SegmentHead aux54;

    private BiSeNetV2(Builder b) {
        numClasses = b.numClasses;
        variant = b.variant;
        headWidth = b.headWidth > 0 ? b.headWidth : variant.defaultHeadWidth();
        boosters = b.boosters;
        mode = b.mode;
        int a = variant.alpha();
        detail = addChildBlock("detail", new DetailBranch(variant));
        segment = addChildBlock("segment", new SegmentBranch(variant));
        bga = addChildBlock("bga", new BGALayer(variant.width(128)));
        // The reference's head width is 1024 (the paper does not give it).
        head = addChildBlock("head", new SegmentHead(headWidth, numClasses, 8, false, a));
        if (boosters) {
            aux2 = addChildBlock("aux2", new SegmentHead(variant.width(128), numClasses, 4, true, a));
            aux3 = addChildBlock("aux3", new SegmentHead(variant.width(128), numClasses, 8, true, a));
            aux4 = addChildBlock("aux4", new SegmentHead(variant.width(128), numClasses, 16, true, a));
            aux54 = addChildBlock("aux5_4", new SegmentHead(variant.width(128), numClasses, 32, true, a));
        } else {
            aux2 = aux3 = aux4 = aux54 = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int numClasses() {
        return numClasses;
    }

    public Variant variant() {
        return variant;
    }

    public int headWidth() {
        return headWidth;
    }

    public boolean hasBoosters() {
        return boosters;
    }

    public OutputMode outputMode() {
        return mode;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();                                      // (N, 3, H, W)
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) % 32 != 0 || s.get(3) % 32 != 0) {
            throw new IllegalArgumentException("BiSeNetV2 takes (N, 3, H, W) with H and W multiples of 32, got " + s);
        }
        // A TRAIN-mode network evaluated without training (validation) returns EVAL logits.
        OutputMode m = training ? OutputMode.TRAIN : mode == OutputMode.TRAIN ? OutputMode.EVAL : mode;
        if (params != null && params.contains(MODE) && !training) {
            m = (OutputMode) params.get(MODE);
        }
        if (training) {
            parametersChanged();                         // the weights move: folds would go stale
        } else if (foldBatchNorm && !folded) {
            fold();
        }
        NDArray fd = detail.forward(ps, in, training).singletonOrThrow();     // (N, 128, H/8, W/8)
        NDList fs = segment.forward(ps, in, training);                           // 1/4, 1/8, 1/16, 1/32, 1/32
        NDList fh = bga.forward(ps, new NDList(fd, fs.get(4)), training);        // (N, 128, H/8, W/8)
        fd.close();
        fs.get(4).close();
        NDArray logits = head.forward(ps, fh, training, params).singletonOrThrow(); // (N, C, H, W)
        Free.unless(fh);
        if (m == OutputMode.TRAIN && boosters) {
            NDList out = new NDList(
                    logits,
                    aux2.forward(ps, new NDList(fs.get(0)), training, params).singletonOrThrow(),
                    aux3.forward(ps, new NDList(fs.get(1)), training, params).singletonOrThrow(),
                    aux4.forward(ps, new NDList(fs.get(2)), training, params).singletonOrThrow(),
                    aux54.forward(ps, new NDList(fs.get(3)), training, params).singletonOrThrow());
            Free.unless(fs.subNDList(0, 4));
            return out;
        }
        Free.unless(fs.subNDList(0, 4));
        if (m == OutputMode.PREDICT) {
            NDArray labels = logits.argMax(1);                                  // (N, H, W) int64
            logits.close();
            return new NDList(labels);
        }
        return new NDList(logits);
    }

    /**
     * Drops the BatchNorm folds of inference (the next inference forward makes them again from
     * the weights as they are then). Call after changing parameters other than by a training
     * forward, {@link Weights#load} or {@link Init#fromScratch}.
     */
    public void parametersChanged() {
        if (folded) {
            synchronized (this) {
                if (folded) {
                    visit(this, false);
                    folded = false;
                }
            }
        }
    }

    /**
     * Whether inference forwards run BatchNorm folded into the convolution before it (default
     * true, or the system property {@code bisenet.foldBatchNorm}). The logits differ by float
     * rounding only; off, every BatchNorm runs as its own pass, as in the reference's eager forward.
     */
    public void setFoldBatchNorm(boolean on) {
        foldBatchNorm = on;
        if (!on) {
            parametersChanged();
        }
    }

    /** Whether folds are held now (tests). */
    boolean isFolded() {
        return folded;
    }

    private void fold() {
        synchronized (this) {
            if (!folded) {
                visit(this, true);
                folded = true;
            }
        }
    }

    private static void visit(ai.djl.nn.Block b, boolean fold) {
        if (b instanceof Foldable f) {
            if (fold) f.fold(); else f.unfold();
        }
        for (ai.djl.nn.Block child : b.getChildren().values()) {
            visit(child, fold);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = in[0];
        Shape logits = new Shape(s.get(0), numClasses, s.get(2), s.get(3));
        switch (mode) {
            case TRAIN:
                return boosters ? new Shape[] {logits, logits, logits, logits, logits} : new Shape[] {logits};
            case PREDICT:
                return new Shape[] {new Shape(s.get(0), s.get(2), s.get(3))};
            default:
                return new Shape[] {logits};
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape[] fs = segment.getOutputShapes(in);
        Shape fd = Layers.init(detail, manager, type, in[0]);
        segment.initialize(manager, type, in);
        bga.initialize(manager, type, fd, fs[4]);
        head.initialize(manager, type, fd);
        if (boosters) {
            aux2.initialize(manager, type, fs[0]);
            aux3.initialize(manager, type, fs[1]);
            aux4.initialize(manager, type, fs[2]);
            aux54.initialize(manager, type, fs[3]);
        }
    }

    /** Builds a {@link BiSeNetV2}: the class count is required, the rest optional. */
    public static final class Builder {
        private int numClasses;
        private Variant variant = Variant.BASE;
        private int headWidth;
        private boolean boosters = true;
        private OutputMode mode = OutputMode.EVAL;

        private Builder() {}

        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        public Builder optVariant(Variant variant) {
            this.variant = variant;
            return this;
        }

        /** Width of the main head's 3x3 conv; default 1024 x alpha, as in the reference. */
        public Builder optHeadWidth(int headWidth) {
            this.headWidth = headWidth;
            return this;
        }

        /** Whether to build the four booster heads (needed for training; default true). */
        public Builder optBoosters(boolean boosters) {
            this.boosters = boosters;
            return this;
        }

        public Builder optOutputMode(OutputMode mode) {
            this.mode = mode;
            return this;
        }

        public BiSeNetV2 build() {
            if (numClasses < 1 || numClasses > 65535) {
                throw new IllegalArgumentException("class count must be in 1..65535, got " + numClasses);
            }
            if (headWidth < 0) {
                throw new IllegalArgumentException("head width must be positive, got " + headWidth);
            }
            return new BiSeNetV2(this);
        }
    }
}
