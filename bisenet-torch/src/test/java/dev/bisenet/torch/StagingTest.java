package dev.bisenet.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.bisenet.model.ConvBNReLU;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Channels-last staging: the same values and shape as (N, C, H, W), and the same training step. */
class StagingTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void channelsLastHoldsTheSameValuesInTheSameShape() {
        float[] nchw = random(2 * 3 * 5 * 7, 1);
        try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
            NDArray x = new Staging().floatsChannelsLast(nd, nchw, 2, 3, 5, 7);
            assertEquals(new Shape(2, 3, 5, 7), x.getShape());
            assertArrayEquals(nchw, x.toFloatArray(), "values read back in (N, C, H, W) order");
            assertEquals(nchw[1 * 105 + 2 * 35 + 4 * 7 + 6], x.getFloat(1, 2, 4, 6), "element (1, 2, 4, 6)");
            assertThrows(IllegalArgumentException.class, () -> new Staging().floatsChannelsLast(nd, nchw, 2, 3, 5, 8));
        }
    }

    /** Forward in training mode (batch statistics), loss, backward: outputs and gradients agree. */
    @Test
    void aTrainingStepOnChannelsLastMatchesPlainMemory() {
        int n = 2, h = 32, w = 48;
        float[] images = random(n * 3 * h * w, 2);
        float[][] plain = step(images, n, h, w, false);
        float[][] last = step(images, n, h, w, true);
        for (int k = 0; k < plain.length; k++) {
            assertEquals(plain[k].length, last[k].length);
            for (int i = 0; i < plain[k].length; i++) {
                assertEquals(plain[k][i], last[k][i], 1e-4 * Math.max(1, Math.abs(plain[k][i])), "array " + k + " at " + i);
            }
        }
    }

    /** Output of two ConvBNReLU blocks, then the gradient of every trainable parameter. */
    private static float[][] step(float[] images, int n, int h, int w, boolean channelsLast) {
        Engine.getInstance().setRandomSeed(3);
        try (Model m = Model.newInstance("staging", "PyTorch")) {
            SequentialBlock net = new SequentialBlock().add(new ConvBNReLU(3, 16, 2)).add(new ConvBNReLU(3, 8, 1));
            m.setBlock(net);
            net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(n, 3, h, w));
            SplittableRandom r = new SplittableRandom(4);
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray a = p.getValue().getArray();
                float[] v = new float[Math.toIntExact(a.size())];
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.2 * r.nextGaussian());
                a.set(v);
                if (p.getValue().requiresGradient()) a.setRequiresGradient(true);
            }
            Staging staging = new Staging();
            try (NDManager s = m.getNDManager().newSubManager()) {
                NDArray x = channelsLast ? staging.floatsChannelsLast(s, images, n, 3, h, w)
                        : staging.floats(s, images, new Shape(n, 3, h, w));
                float[] out;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = net.forward(new ParameterStore(s, false), new NDList(x), true).singletonOrThrow();
                    out = y.toFloatArray();
                    gc.backward(y.square().mean());
                }
                java.util.List<float[]> arrays = new java.util.ArrayList<>();
                arrays.add(out);
                for (Pair<String, Parameter> p : net.getParameters()) {
                    if (p.getValue().requiresGradient()) arrays.add(p.getValue().getArray().getGradient().toFloatArray());
                }
                assertEquals(1 + 2 * 3, arrays.size(), "output, then conv weight, BatchNorm gamma and beta of each block");
                return arrays.toArray(new float[0][]);
            }
        }
    }
}
