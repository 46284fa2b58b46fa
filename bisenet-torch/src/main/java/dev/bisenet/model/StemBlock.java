package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.bisenet.spec.Variant;

/**
 * The Stem Block (paper Fig. 4a): a strided conv, then a conv path and a max-pool path side by
 * side, concatenated and fused. Output (N, 16, H/4, W/4).
 */
public final class StemBlock extends AbstractBlock {

    private final ConvBNReLU conv;
    private final SequentialBlock left;
    private final ConvBNReLU fuse;
    private final int out;

    public StemBlock(Variant v) {
        out = v.width(16);
        conv = addChildBlock("conv", new ConvBNReLU(3, out, 2));
        left = addChildBlock("left", Chain.seq(new ConvBNReLU(1, v.width(8), 1), new ConvBNReLU(3, out, 2)));
        // `right` is a 3x3/2 max-pool with padding 1 (padding never wins the max): no parameters.
        fuse = addChildBlock("fuse", new ConvBNReLU(3, out, 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList x = conv.forward(ps, in, training);                                 // (N, 16, H/2, W/2)
        NDArray l = left.forward(ps, x, training).singletonOrThrow();              // (N, 16, H/4, W/4)
        NDArray r = Pool.maxPool2d(x.singletonOrThrow(),
                new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);         // (N, 16, H/4, W/4)
        Free.unless(x, in);
        NDArray cat = NDArrays.concat(new NDList(l, r), 1);                        // (N, 32, H/4, W/4)
        l.close();
        r.close();
        NDList out = fuse.forward(ps, new NDList(cat), training);                  // (N, 16, H/4, W/4)
        cat.close();
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {Layers.strided(in[0], out, 4)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape half = Layers.init(conv, manager, type, in[0]);
        Shape quarter = Layers.init(left, manager, type, half);
        Shape cat = new Shape(quarter.get(0), 2 * out, quarter.get(2), quarter.get(3));
        fuse.initialize(manager, type, cat);
    }
}
