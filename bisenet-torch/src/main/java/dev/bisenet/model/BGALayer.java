package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Bilateral Guided Aggregation (paper Fig. 6): each branch gates the other, at 1/8 and at 1/32,
 * and the two results are summed at 1/8. Inputs: detail (N, 128, H/8, W/8) and semantic
 * (N, 128, H/32, W/32); output (N, 128, H/8, W/8).
 */
public final class BGALayer extends AbstractBlock {

    private final SequentialBlock left1;
    private final SequentialBlock left2;
    private final SequentialBlock right1;
    private final SequentialBlock right2;
    private final SequentialBlock conv;

    public BGALayer(int c) {
        // detail branch, 1/8: DW(3) + BN + 1x1 conv (no BN after it)
        left1 = addChildBlock("left1", Chain.seq(Layers.conv(3, c, 1, c, false), Layers.bn(), Layers.conv(1, c, 1)));
        // detail branch down to 1/32: 3x3/2 conv + BN, then a 3x3/2 average pool (below)
        left2 = addChildBlock("left2", Chain.seq(Layers.conv(3, c, 2), Layers.bn()));
        // semantic branch, gate for 1/8: 3x3 conv + BN, then nearest x4 and sigmoid (below)
        right1 = addChildBlock("right1", Chain.seq(Layers.conv(3, c, 1), Layers.bn()));
        // semantic branch, gate for 1/32: DW(3) + BN + 1x1 conv, then sigmoid
        right2 = addChildBlock("right2", Chain.seq(Layers.conv(3, c, 1, c, false), Layers.bn(), Layers.conv(1, c, 1)));
        // 3x3 conv + BN + ReLU; the ReLU is not shown in the paper.
        conv = addChildBlock("conv", Chain.seq(Layers.conv(3, c, 1), Layers.bn(), Layers.relu()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList xd = new NDList(in.get(0));                                                  // (N, 128, H/8, W/8)
        NDList xs = new NDList(in.get(1));                                                  // (N, 128, H/32, W/32)
        NDArray l1 = left1.forward(ps, xd, training).singletonOrThrow();                    // (N, 128, H/8, W/8)
        // count_include_pad: the border average divides by 9 like the reference.
        NDArray l2in = left2.forward(ps, xd, training).singletonOrThrow();
        NDArray l2 = Pool.avgPool2d(l2in,
                new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false, true);            // (N, 128, H/32, W/32)
        l2in.close();
        NDArray r1 = right1.forward(ps, xs, training).singletonOrThrow();                   // (N, 128, H/32, W/32)
        NDArray r2 = right2.forward(ps, xs, training).singletonOrThrow();                   // (N, 128, H/32, W/32)
        // The paper upsamples bilinearly; the checkpoints were trained with nearest.
        NDArray r1up = Layers.resize(r1, 4, Layers.NEAREST);
        r1.close();
        NDArray gate = Activation.sigmoid(r1up);
        r1up.close();
        NDArray left = l1.mul(gate);                                                        // (N, 128, H/8, W/8)
        l1.close();
        gate.close();
        NDArray r2gate = Activation.sigmoid(r2);
        r2.close();
        NDArray small = l2.mul(r2gate);
        l2.close();
        r2gate.close();
        NDArray right = Layers.resize(small, 4, Layers.NEAREST);                            // (N, 128, H/8, W/8)
        small.close();
        NDArray sum = left.add(right);
        left.close();
        right.close();
        NDList out = conv.forward(ps, new NDList(sum), training);
        sum.close();
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        left1.initialize(manager, type, in[0]);
        left2.initialize(manager, type, in[0]);
        right1.initialize(manager, type, in[1]);
        right2.initialize(manager, type, in[1]);
        conv.initialize(manager, type, in[0]);
    }
}
