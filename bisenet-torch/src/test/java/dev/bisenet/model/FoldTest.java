package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.bisenet.spec.ModelSpec;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Inference with BatchNorm folded into the convolutions ({@link Fold}) gives the logits of
 * conv and BatchNorm run apart, and the folds never outlive the weights they were made from.
 */
class FoldTest {

    /** Weights from scratch, then BatchNorm statistics and affine terms far from the identity. */
    private static Model randomModel() {
        Model m = BiSeNetV2.newModel(ModelSpec.reference(11, true), OutputMode.TRAIN);
        BiSeNetV2 net = (BiSeNetV2) m.getBlock();
        Init.fromScratch(net, 7);
        SplittableRandom rng = new SplittableRandom(11);
        for (Map.Entry<String, Parameter> e : WeightNames.of(net).entrySet()) {
            NDArray a = e.getValue().getArray();
            if (a.getShape().dimension() != 1) continue;                       // conv weights stay
            float[] v = new float[Math.toIntExact(a.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getKey().endsWith("running_var") ? (float) rng.nextDouble(0.2, 3.0)
                        : e.getKey().endsWith(".weight") ? (float) rng.nextDouble(0.3, 2.0)
                        : (float) rng.nextDouble(-0.5, 0.5);
            }
            Weights.assign(a, v);
        }
        net.parametersChanged();
        return m;
    }

    private static float[] eval(Model m, NDArray x) {
        try (NDManager step = m.getNDManager().newSubManager()) {
            NDList out = m.getBlock().forward(new ParameterStore(step, false), new NDList(x), false, new PairList<>());
            float[] v = out.singletonOrThrow().toFloatArray();
            out.close();
            return v;
        }
    }

    private static void train(Model m, NDArray x) {
        try (NDManager step = m.getNDManager().newSubManager()) {
            m.getBlock().forward(new ParameterStore(step, false), new NDList(x), true, new PairList<>()).close();
        }
    }

    /** Largest |a - b| relative to the largest |a|. */
    private static double relDiff(float[] a, float[] b) {
        double d = 0, scale = 1e-12;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return d / scale;
    }

    private static float[] unfolded(Model m, NDArray x) {
        BiSeNetV2 net = (BiSeNetV2) m.getBlock();
        net.setFoldBatchNorm(false);
        try {
            float[] v = eval(m, x);
            assertFalse(net.isFolded(), "folding is off, yet the network holds folds");
            return v;
        } finally {
            net.setFoldBatchNorm(true);
        }
    }

    @Test
    void foldedLogitsMatchConvAndBatchNormApart() {
        try (Model m = randomModel(); NDManager nd = m.getNDManager().newSubManager()) {
            BiSeNetV2 net = (BiSeNetV2) m.getBlock();
            NDArray x = nd.randomNormal(new Shape(2, 3, 64, 96));
            float[] apart = unfolded(m, x);
            float[] folded = eval(m, x);
            assertTrue(net.isFolded(), "an inference forward should have folded BatchNorm");
            double d = relDiff(apart, folded);
            assertTrue(d < 1e-4, "folded logits differ from unfolded by " + d + " of their largest value");
            assertTrue(relDiff(apart, new float[apart.length]) > 0.1, "logits are near zero: the comparison says nothing");
        }
    }

    @Test
    void aTrainingForwardDropsTheFoldsAndTheNextInferenceSeesTheNewStatistics() {
        try (Model m = randomModel(); NDManager nd = m.getNDManager().newSubManager()) {
            BiSeNetV2 net = (BiSeNetV2) m.getBlock();
            NDArray x = nd.randomNormal(new Shape(2, 3, 64, 96));
            float[] before = eval(m, x);
            assertTrue(net.isFolded());
            // BatchNorm in training mode moves its running statistics: stale folds would miss that
            train(m, nd.randomNormal(new Shape(2, 3, 64, 96)).mul(3).add(1));
            assertFalse(net.isFolded(), "a training forward should drop the folds");
            float[] after = eval(m, x);
            assertTrue(relDiff(before, after) > 1e-3, "the training forward did not change the logits: the test says nothing");
            double d = relDiff(unfolded(m, x), after);
            assertTrue(d < 1e-4, "after training, folded logits differ from unfolded by " + d);
        }
    }

    @Test
    void loadingWeightsDropsTheFolds() {
        try (Model m = randomModel(); Model other = randomModel(); NDManager nd = m.getNDManager().newSubManager()) {
            BiSeNetV2 net = (BiSeNetV2) m.getBlock();
            Init.fromScratch((BiSeNetV2) other.getBlock(), 99);
            NDArray x = nd.randomNormal(new Shape(1, 3, 64, 64));
            eval(m, x);
            assertTrue(net.isFolded());
            Weights.load(net, Weights.toStateDict((BiSeNetV2) other.getBlock(), 0), "other", Weights.Fit.STRICT);
            assertFalse(net.isFolded(), "loading weights should drop the folds");
            try (NDManager ond = other.getNDManager().newSubManager()) {
                NDArray xo = ond.create(x.toFloatArray(), x.getShape());
                double d = relDiff(eval(other, xo), eval(m, x));
                assertTrue(d < 1e-4, "after loading, the logits differ from the source model's by " + d);
            }
        }
    }
}
