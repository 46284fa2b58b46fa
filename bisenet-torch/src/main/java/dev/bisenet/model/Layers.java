package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** Small factories for the layers the blocks are made of, with PyTorch's defaults. */
final class Layers {

    /** PyTorch's {@code nn.Upsample} nearest mode, as DJL numbers it. */
    static final int NEAREST = 0;

    /** Bilinear, as DJL numbers it (DJL's PyTorch engine runs libtorch's antialiased kernel). */
    static final int BILINEAR = 1;

    private Layers() {}

    /** A k x k convolution with padding k/2 and no bias. */
    static Conv2d conv(int k, int out, int stride) {
        return conv(k, out, stride, 1, false);
    }

    /** A k x k convolution with padding k/2; {@code groups} > 1 for depthwise. */
    static Conv2d conv(int k, int out, int stride, int groups, boolean bias) {
        Conv2d.Builder b = Conv2d.builder()
                .setKernelShape(new Shape(k, k))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(k / 2, k / 2))
                .optGroups(groups)
                .setFilters(out);
        if (!bias) {
            b.optBias(false);
        }
        return b.build();
    }

    /** BatchNorm2d's epsilon, PyTorch's default. */
    static final float BN_EPS = 1e-5f;

    /** BatchNorm2d: eps 1e-5, PyTorch momentum 0.1 (DJL counts momentum the other way). */
    static BatchNorm bn() {
        return BatchNorm.builder().optEpsilon(BN_EPS).optMomentum(0.9f).build();
    }

    static LambdaBlock relu() {
        return new LambdaBlock(x -> new NDList(Activation.relu(x.singletonOrThrow())), "ReLU");
    }

    /**
     * Nearest upsampling by an integer factor, as {@code nn.Upsample(scale_factor=f)}: output
     * pixel (y, x) copies input pixel (y / f, x / f).
     */
    static LambdaBlock upsampleNearest(int factor) {
        return new LambdaBlock(x -> new NDList(resize(x.singletonOrThrow(), factor, NEAREST)), "Upsample");
    }

    /**
     * Bilinear upsampling by an integer factor with align_corners=false, as the reference's
     * {@code nn.Upsample(scale_factor=f, mode='bilinear', align_corners=False)}: in inference
     * libtorch's kernel through DJL's interpolation, which is the fastest forward (the main
     * head's x8 of (1, 19, 64, 128): 32 ms median against 84 ms for the matrix products training
     * used before, PyTorch 1.13's plain kernel 16 ms); in training the convolution of
     * {@link PhaseLayout}, whose backward is the fast one. With the forward parameter
     * {@link PhaseLayout#PARAM} a training forward returns the phase layout itself,
     * (N, C, f, f, h, w).
     */
    static final class UpsampleBilinear extends ai.djl.nn.AbstractBlock {

        private final int factor;

        UpsampleBilinear(int factor) {
            this.factor = factor;
        }

        @Override
        protected NDList forwardInternal(ai.djl.training.ParameterStore ps, NDList in, boolean training,
                ai.djl.util.PairList<String, Object> params) {
            NDArray x = in.singletonOrThrow();
            if (!training) {
                return new NDList(resize(x, factor, BILINEAR));
            }
            NDArray phase = PhaseLayout.upsample(x, factor);
            if (params != null && Boolean.TRUE.equals(params.get(PhaseLayout.PARAM))) {
                return new NDList(phase);
            }
            NDArray out = PhaseLayout.toImage(phase);
            phase.close();
            return new NDList(out);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape s = in[0];
            return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) * factor, s.get(3) * factor)};
        }
    }

    /** Resizes an NCHW array by an integer factor. */
    static NDArray resize(NDArray x, int factor, int mode) {
        Shape s = x.getShape();
        return resize(x, s.get(2) * factor, s.get(3) * factor, mode);
    }

    /**
     * Resizes an NCHW array to h x w. DJL has no public NCHW resize; the PyTorch engine's
     * interpolation is differentiable and always uses align_corners=false, which is what this
     * model was trained with.
     */
    static NDArray resize(NDArray x, long h, long w, int mode) {
        return x.getNDArrayInternal().interpolation(new long[] {h, w}, mode, false);
    }

    /** Output shape of a stride-s layer with "same"-style padding on an NCHW shape. */
    static Shape strided(Shape in, long channels, int stride) {
        return new Shape(in.get(0), channels, (in.get(2) + stride - 1) / stride, (in.get(3) + stride - 1) / stride);
    }

    /** Initialises {@code block} for {@code in} and returns its output shape. */
    static Shape init(Block block, ai.djl.ndarray.NDManager manager, ai.djl.ndarray.types.DataType type, Shape in) {
        block.initialize(manager, type, in);
        return block.getOutputShapes(new Shape[] {in})[0];
    }
}
