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

    /** PyTorch's {@code nn.Upsample} / {@code F.interpolate} modes, as DJL numbers them. */
    static final int NEAREST = 0;
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

    /** BatchNorm2d: eps 1e-5, PyTorch momentum 0.1 (DJL counts momentum the other way). */
    static BatchNorm bn() {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
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
