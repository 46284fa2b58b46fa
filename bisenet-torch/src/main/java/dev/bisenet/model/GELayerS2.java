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
 * Gather-and-Expand layer, stride 2 (paper Fig. 5c): two depthwise convs expand by e = 6 and
 * halve the resolution; a depthwise-separable shortcut matches the shapes.
 * (N, C, h, w) -> (N, C', h/2, w/2).
 */
public final class GELayerS2 extends AbstractBlock {

    private final ConvBNReLU conv1;
    private final SequentialBlock dwconv1;
    private final SequentialBlock dwconv2;
    private final SequentialBlock conv2;
    private final SequentialBlock shortcut;
    private final int out;

    public GELayerS2(int in, int out) {
        this.out = out;
        int mid = in * GELayerS1.EXPANSION;
        conv1 = addChildBlock("conv1", new ConvBNReLU(3, in, 1));
        dwconv1 = addChildBlock("dwconv1", Chain.seq(Layers.conv(3, mid, 2, in, false), Layers.bn()));
        // DW(3, 6C, 1) + BN + ReLU: the ReLU is not shown in the paper.
        dwconv2 = addChildBlock("dwconv2", Chain.seq(Layers.conv(3, mid, 1, mid, false), Layers.bn(), Layers.relu()));
        conv2 = addChildBlock("conv2", Chain.seq(Layers.conv(1, out, 1), Layers.bn()));
        shortcut = addChildBlock("shortcut", Chain.seq(
                Layers.conv(3, in, 2, in, false), Layers.bn(),
                Layers.conv(1, out, 1), Layers.bn()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList x = conv1.forward(ps, in, training);                                  // (N, C, h, w)
        NDList d1 = dwconv1.forward(ps, x, training);                                 // (N, 6C, h/2, w/2)
        Free.unless(x, in);
        NDList d2 = dwconv2.forward(ps, d1, training);
        Free.unless(d1, in);
        NDArray main = conv2.forward(ps, d2, training).singletonOrThrow();            // (N, C', h/2, w/2)
        Free.unless(d2, in);
        NDArray side = shortcut.forward(ps, in, training).singletonOrThrow();         // (N, C', h/2, w/2)
        NDArray sum = main.add(side);
        main.close();
        side.close();
        NDArray r = Activation.relu(sum);
        sum.close();
        return new NDList(r);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {Layers.strided(in[0], out, 2)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape s = Layers.init(conv1, manager, type, in[0]);
        s = Layers.init(dwconv1, manager, type, s);
        s = Layers.init(dwconv2, manager, type, s);
        conv2.initialize(manager, type, s);
        shortcut.initialize(manager, type, in[0]);
    }
}
