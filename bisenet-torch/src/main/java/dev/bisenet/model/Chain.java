package dev.bisenet.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

/**
 * Children run one after another, like {@code nn.Sequential}, but with the names the
 * checkpoints use ({@code S1}, {@code S2}, ...) rather than DJL's class-name children.
 */
abstract class Chain extends AbstractBlock {

    /** A PyTorch-style {@code nn.Sequential}: children are named 0, 1, 2 ... in checkpoints. */
    static SequentialBlock seq(Block... blocks) {
        return new Seq().addAll(blocks);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList x, boolean training, PairList<String, Object> params) {
        return forwardFreeing(children.values(), ps, x, training);
    }

    /** Runs {@code blocks} in order, freeing each intermediate output once the next has read it. */
    static NDList forwardFreeing(Iterable<Block> blocks, ParameterStore ps, NDList in, boolean training) {
        NDList x = in;
        for (Block b : blocks) {
            NDList y = b.forward(ps, x, training);
            if (x != in) {
                Free.unless(x, in, y);
            }
            x = y;
        }
        return x;
    }

    /** A {@link SequentialBlock} (same children and checkpoint names) that frees as it goes. */
    static final class Seq extends SequentialBlock {
        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList x, boolean training, PairList<String, Object> params) {
            return forwardFreeing(children.values(), ps, x, training);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape[] s = in;
        for (Pair<String, Block> child : children) {
            s = child.getValue().getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... in) {
        Shape[] s = in;
        for (Pair<String, Block> child : children) {
            child.getValue().initialize(manager, type, s);
            s = child.getValue().getOutputShapes(s);
        }
    }
}
