package dev.bisenet.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.bisenet.spec.Variant;

/**
 * The Semantic Branch: narrow (lambda = 1/4) and deep, 1/32 resolution, large receptive field.
 * Returns the features the booster heads and the BGA read, in this order:
 * S1S2 (1/4), S3 (1/8), S4 (1/16), S5_4 (1/32, before CE), S5_5 (1/32, after CE).
 */
public final class SegmentBranch extends AbstractBlock {

    private final StemBlock stem;
    private final SequentialBlock s3;
    private final SequentialBlock s4;
    private final SequentialBlock s54;
    private final CEBlock s55;

    public SegmentBranch(Variant v) {
        int c16 = v.width(16), c32 = v.width(32), c64 = v.width(64), c128 = v.width(128);
        // S1-S2 | Stem k3 c16 s4                                          -> (N, 16, H/4, W/4)
        stem = addChildBlock("S1S2", new StemBlock(v));
        // S3    | GE c32 e6 s2; GE c32 e6 s1 (x d)                        -> (N, 32, H/8, W/8)
        s3 = addChildBlock("S3", stage(new GELayerS2(c16, c32), c32, v.depth()));
        // S4    | GE c64 e6 s2; GE c64 e6 s1 (x d)                        -> (N, 64, H/16, W/16)
        s4 = addChildBlock("S4", stage(new GELayerS2(c32, c64), c64, v.depth()));
        // S5    | GE c128 e6 s2; GE c128 e6 s1 x3 (x d)                   -> (N, 128, H/32, W/32)
        s54 = addChildBlock("S5_4", stage(new GELayerS2(c64, c128), c128, 3 * v.depth()));
        // S5    | CE c128                                                 -> (N, 128, H/32, W/32)
        s55 = addChildBlock("S5_5", new CEBlock(c128));
    }

    private static SequentialBlock stage(Block down, int channels, int repeats) {
        SequentialBlock s = new Chain.Seq().add(down);
        for (int i = 0; i < repeats; i++) {
            s.add(new GELayerS1(channels));
        }
        return s;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList f2 = stem.forward(ps, in, training);
        NDList f3 = s3.forward(ps, f2, training);
        NDList f4 = s4.forward(ps, f3, training);
        NDList f54 = s54.forward(ps, f4, training);
        NDList f55 = s55.forward(ps, f54, training);
        return new NDList(f2.head(), f3.head(), f4.head(), f54.head(), f55.head());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape f2 = stem.getOutputShapes(in)[0];
        Shape f3 = s3.getOutputShapes(new Shape[] {f2})[0];
        Shape f4 = s4.getOutputShapes(new Shape[] {f3})[0];
        Shape f54 = s54.getOutputShapes(new Shape[] {f4})[0];
        return new Shape[] {f2, f3, f4, f54, f54};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape f2 = Layers.init(stem, manager, type, in[0]);
        Shape f3 = Layers.init(s3, manager, type, f2);
        Shape f4 = Layers.init(s4, manager, type, f3);
        Shape f54 = Layers.init(s54, manager, type, f4);
        s55.initialize(manager, type, f54);
    }
}
