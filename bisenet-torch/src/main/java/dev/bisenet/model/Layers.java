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
     * Bilinear upsampling by an integer factor with align_corners=false: in training the
     * matrix products of {@link #upsampleBilinear} (their backward is the faster one), in
     * inference libtorch's kernel through DJL's interpolation, which gives the same values when
     * upsampling and is faster there: the main head's x8 of (1, 19, 64, 128), in one process,
     * interleaved, with a training run on both cores beside it: 32 ms median against 84 ms for
     * the products (PyTorch 1.13's plain kernel: 16 ms). Either way the reference's
     * {@code nn.Upsample(scale_factor=f, mode='bilinear', align_corners=False)}.
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
            return new NDList(training ? upsampleBilinear(x, factor) : resize(x, factor, BILINEAR));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape s = in[0];
            return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) * factor, s.get(3) * factor)};
        }
    }

    /**
     * Bilinear upsampling by an integer factor with align_corners=false, as the reference's
     * {@code nn.Upsample(scale_factor=f, mode='bilinear', align_corners=False)}: two matrix
     * products, {@code out = A_h x A_w^T} per channel, with A's rows holding the two
     * interpolation weights of each output row or column.
     *
     * <p>Deviation from the obvious call: DJL's {@code interpolation} always asks libtorch for
     * the antialiased kernel ({@code _upsample_bilinear2d_aa}). When upsampling it gives the same
     * values, but its backward took 300 ms of a 2 s training step (batch 4, 384x480, libtorch's
     * profiler) against 107 ms for PyTorch's plain kernel; forward and backward of the products
     * take 279 ms in all, of the antialiased kernel 377 ms. The gradient is two more products.
     */
    static NDArray upsampleBilinear(NDArray x, int factor) {
        Shape s = x.getShape();                                               // (N, C, h, w)
        int h = (int) s.get(2), w = (int) s.get(3);
        ai.djl.ndarray.NDManager m = x.getManager();
        NDArray ahT = m.create(bilinearWeights(h, factor), new Shape(h, (long) h * factor));  // (h, H)
        NDArray awT = m.create(bilinearWeights(w, factor), new Shape(w, (long) w * factor));  // (w, W)
        // Rows first, on the transposed input; each product is one 2-D GEMM and the output comes
        // out contiguous (N, C, H, W). (4-D matmuls, batched, took the same time in the profile.)
        long n = s.get(0), c = s.get(1), hOut = (long) h * factor, wOut = (long) w * factor;
        // Intermediates are closed at once (see Free); ahT and awT are not: they were made from
        // Java memory, which the graph may still read in the backward.
        NDArray xt = x.transpose(0, 1, 3, 2);
        NDArray xr = xt.reshape(n * c * w, h);
        NDArray rows = xr.matMul(ahT);                                                     // (N C w, H)
        NDArray r4 = rows.reshape(n, c, w, hOut);
        NDArray rt = r4.transpose(0, 1, 3, 2);
        NDArray cols = rt.reshape(n * c * hOut, w);
        NDArray prod = cols.matMul(awT);
        NDArray out = prod.reshape(n, c, hOut, wOut);                                      // (N, C, H, W)
        for (NDArray t : new NDArray[] {xt, xr, rows, r4, rt, cols, prod}) {
            t.close();
        }
        return out;
    }

    /**
     * The (in, in x f) matrix M with {@code out = in_vector . M}: output index o reads source
     * position {@code max(0, (o + 0.5) / f - 0.5)}, PyTorch's align_corners=false rule, from its
     * two neighbours (the last one repeated at the edge).
     */
    static float[] bilinearWeights(int in, int factor) {
        int out = in * factor;
        float[] m = new float[in * out];
        float scale = 1f / factor;
        for (int o = 0; o < out; o++) {
            float src = Math.max(0f, scale * (o + 0.5f) - 0.5f);
            int i0 = Math.min((int) src, in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            float l1 = src - i0;
            m[i0 * out + o] += 1f - l1;
            m[i1 * out + o] += l1;
        }
        return m;
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
