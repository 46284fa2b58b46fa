package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** k x k convolution (no bias, padding k/2), BatchNorm, ReLU: children {@code conv}, {@code bn}. */
public final class ConvBNReLU extends AbstractBlock implements Foldable {

    private final Conv2d conv;
    private final BatchNorm bn;
    private final int out;
    private final int stride;
    private Fold fold;                                // set while the network holds folds (inference)

    public ConvBNReLU(int k, int out, int stride) {
        this.out = out;
        this.stride = stride;
        conv = addChildBlock("conv", Layers.conv(k, out, stride));
        bn = addChildBlock("bn", Layers.bn());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        Fold f = fold;
        if (!training && f != null) {
            NDArray y = f.apply(in.singletonOrThrow());
            NDArray r = Activation.relu(y);
            y.close();
            return new NDList(r);
        }
        NDList c = conv.forward(ps, in, training);
        NDList b = bn.forward(ps, c, training);
        Free.unless(c, in);
        NDList r = new NDList(Activation.relu(b.singletonOrThrow()));
        Free.unless(b, in);
        return r;
    }

    @Override
    public void fold() {
        fold = Fold.of(conv, bn);
    }

    @Override
    public void unfold() {
        if (fold != null) {
            fold.close();
            fold = null;
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {Layers.strided(in[0], out, stride)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape c = Layers.init(conv, manager, type, in[0]);
        bn.initialize(manager, type, c);
    }
}
