package dev.bisenet.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A segmentation head: 3x3 conv, dropout 0.1, 1x1 classifier, bilinear upsampling to the input
 * size. The main head reads the BGA output; the booster heads (training only) read inner stages
 * and add a nearest x2 upsample and a conv to f*f channels before the classifier, f being the
 * head's total upsampling factor (the layout of the public checkpoints).
 */
public final class SegmentHead extends AbstractBlock {

    private static final float DROPOUT = 0.1f;

    private final ConvBNReLU conv;
    private final SequentialBlock convOut;
    private final int classes;
    private final int factor;

    /**
     * @param mid width of the 3x3 conv (1024 for the main head, 128 for the boosters, times alpha)
     * @param factor total upsampling factor from this head's input to the network input
     * @param booster whether this is a booster head (extra x2 upsample + conv to f*f channels)
     * @param alpha width multiplier for the booster's f*f channels
     */
    public SegmentHead(int mid, int classes, int factor, boolean booster, int alpha) {
        this.classes = classes;
        this.factor = factor;
        conv = addChildBlock("conv", new ConvBNReLU(3, mid, 1));
        convOut = new Chain.Seq();
        if (booster) {
            // conv_out.0 = (nearest x2, ConvBNReLU to f*f channels); conv_out.0.1.* in checkpoints
            convOut.add(Chain.seq(Layers.upsampleNearest(2), new ConvBNReLU(3, alpha * factor * factor, 1)));
            convOut.add(Layers.conv(1, classes, 1, 1, true));
            convOut.add(new Layers.UpsampleBilinear(factor / 2));
        } else {
            // conv_out.0 is an identity in the reference, kept so the classifier stays conv_out.1
            convOut.add(new LambdaBlock(x -> x, "Identity"));
            convOut.add(Layers.conv(1, classes, 1, 1, true));
            convOut.add(new Layers.UpsampleBilinear(factor));
        }
        addChildBlock("conv_out", convOut);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList x = conv.forward(ps, in, training);
        if (training) {
            NDList d = new NDList(Dropout.dropout(x.singletonOrThrow(), DROPOUT, true));
            Free.unless(x, in);
            x = d;
        }
        // (N, classes, H, W); in training with PhaseLayout.PARAM (N, classes, f, f, H/f, W/f)
        NDList out = convOut.forward(ps, x, training, params);
        Free.unless(x, in, out);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = in[0];
        return new Shape[] {new Shape(s.get(0), classes, s.get(2) * factor, s.get(3) * factor)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape s = Layers.init(conv, manager, type, in[0]);
        convOut.initialize(manager, type, s);
    }
}
