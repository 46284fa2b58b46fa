package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Context Embedding block (paper Fig. 5a): global average pooling, BN, 1x1 conv, broadcast-added
 * to the input, then a 3x3 conv. (N, 128, h, w) -> (N, 128, h, w).
 */
public final class CEBlock extends AbstractBlock {

    private final BatchNorm bn;
    private final ConvBNReLU convGap;
    private final ConvBNReLU convLast;

    public CEBlock(int channels) {
        bn = addChildBlock("bn", Layers.bn());
        convGap = addChildBlock("conv_gap", new ConvBNReLU(1, channels, 1));
        // The paper has a plain 3x3 conv here; the checkpoints have conv + BN + ReLU.
        convLast = addChildBlock("conv_last", new ConvBNReLU(3, channels, 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        // DJL's PyTorch engine throws on a mean over two axes at once: one axis at a time.
        NDArray rowMean = x.mean(new int[] {3}, true);
        NDArray gap = rowMean.mean(new int[] {2}, true);                                  // (N, 128, 1, 1)
        rowMean.close();
        NDList b = bn.forward(ps, new NDList(gap), training);
        gap.close();
        NDList g = convGap.forward(ps, b, training);
        Free.unless(b, g);
        NDArray sum = g.singletonOrThrow().add(x);                                        // (N, 128, h, w)
        Free.unless(g);
        NDList out = convLast.forward(ps, new NDList(sum), training);
        sum.close();
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return in;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape pooled = new Shape(in[0].get(0), in[0].get(1), 1, 1);
        bn.initialize(manager, type, pooled);
        convGap.initialize(manager, type, pooled);
        convLast.initialize(manager, type, in[0]);
    }
}
