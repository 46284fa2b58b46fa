package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Gather-and-Expand layer, stride 1 (paper Fig. 5b): 3x3 conv, 3x3 depthwise expansion by e = 6,
 * 1x1 projection, identity shortcut. Shape-preserving: (N, C, h, w) -> (N, C, h, w).
 */
public final class GELayerS1 extends AbstractBlock {

    static final int EXPANSION = 6;

    private final ConvBNReLU conv1;
    private final SequentialBlock dwconv;
    private final SequentialBlock conv2;

    public GELayerS1(int channels) {
        int mid = channels * EXPANSION;
        conv1 = addChildBlock("conv1", new ConvBNReLU(3, channels, 1));
        // DW(3, 6C, 1) + BN + ReLU: the ReLU is not shown in the paper.
        dwconv = addChildBlock("dwconv", Chain.seq(Layers.conv(3, mid, 1, channels, false), Layers.bn(), Layers.relu()));
        // 1x1 projection + BN; this BN's weight starts at 0 when trained from scratch.
        conv2 = addChildBlock("conv2", Chain.seq(Layers.conv(1, channels, 1), Layers.bn()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList x = conv1.forward(ps, in, training);
        NDList d = dwconv.forward(ps, x, training);                                  // (N, 6C, h, w)
        Free.unless(x, in);
        NDArray y = conv2.forward(ps, d, training).singletonOrThrow();               // (N, C, h, w)
        Free.unless(d, in);
        NDArray sum = y.add(in.singletonOrThrow());
        y.close();
        NDArray r = Activation.relu(sum);
        sum.close();
        return new NDList(r);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return in;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape s = Layers.init(conv1, manager, type, in[0]);
        s = Layers.init(dwconv, manager, type, s);
        conv2.initialize(manager, type, s);
    }
}
