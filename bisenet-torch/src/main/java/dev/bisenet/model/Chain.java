package dev.bisenet.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.List;

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
        return forwardFreeing(children.values(), null, ps, x, training, params);
    }

    /**
     * Runs {@code blocks} in order, freeing each intermediate output once the next has read it.
     * In inference, where {@code folds[i]} is set, children i (Conv2d) and i + 1 (BatchNorm) run
     * as that one {@link Fold}. {@code params} (may be null) go to every child.
     */
    static NDList forwardFreeing(List<Block> blocks, Fold[] folds, ParameterStore ps, NDList in, boolean training,
            PairList<String, Object> params) {
        NDList x = in;
        for (int i = 0; i < blocks.size(); i++) {
            NDList y;
            if (!training && folds != null && folds[i] != null) {
                y = new NDList(folds[i].apply(x.singletonOrThrow()));
                i++;                                                            // the BatchNorm is in the fold
            } else {
                y = blocks.get(i).forward(ps, x, training, params);
            }
            if (x != in) {
                Free.unless(x, in, y);
            }
            x = y;
        }
        return x;
    }

    /**
     * A {@link SequentialBlock} (same children and checkpoint names) that frees as it goes, and
     * in inference runs each convolution with the BatchNorm after it folded in ({@link Fold}).
     */
    static final class Seq extends SequentialBlock implements Foldable {

        private Fold[] folds;        // folds[i]: children i (Conv2d) and i + 1 (BatchNorm) as one

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            return forwardFreeing(children.values(), folds, ps, in, training, params);
        }

        @Override
        public void fold() {
            List<Block> blocks = children.values();
            Fold[] f = new Fold[blocks.size()];
            boolean any = false;
            for (int i = 0; i + 1 < blocks.size(); i++) {
                if (blocks.get(i) instanceof Conv2d c && blocks.get(i + 1) instanceof BatchNorm bn) {
                    f[i] = Fold.of(c, bn);
                    any = true;
                }
            }
            folds = any ? f : null;
        }

        @Override
        public void unfold() {
            Fold[] f = folds;
            folds = null;
            if (f != null) {
                for (Fold x : f) {
                    if (x != null) x.close();
                }
            }
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
