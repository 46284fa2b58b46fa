package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The convolution upsampling of training against libtorch's own interpolation, values and gradients, and its phase layout. */
class UpsampleTest {

    @Test
    void tapsFollowAlignCornersFalse() {
        // x2: output rows 2i, 2i+1 read source i - 1/4 and i + 1/4
        float[][] two = PhaseLayout.taps(2);
        assertArrayEquals(new float[] {0.25f, 0.75f, 0}, two[0], 1e-7f);
        assertArrayEquals(new float[] {0, 0.75f, 0.25f}, two[1], 1e-7f);
        // x4, phase 0: source i - 3/8
        assertArrayEquals(new float[] {0.375f, 0.625f, 0}, PhaseLayout.taps(4)[0], 1e-7f);
        for (int f : new int[] {1, 3, 8, 16}) {
            for (float[] t : PhaseLayout.taps(f)) {
                assertEquals(1f, t[0] + t[1] + t[2], 1e-6f, "taps of x" + f + " sum to 1");
            }
        }
    }

    @Test
    void matchesLibtorchInterpolationWithGradients() {
        for (int f : new int[] {2, 3, 8, 32}) {
            Engine.getEngine("PyTorch").setRandomSeed(f);
            try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
                NDArray x = nd.randomNormal(new Shape(2, 3, 5, 7));
                NDArray g = nd.randomNormal(new Shape(2, 3, 5L * f, 7L * f));
                float[][] out = new float[2][];
                float[][] grad = new float[2][];
                for (int way = 0; way < 2; way++) {
                    NDArray xi = x.duplicate();
                    xi.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray y = way == 0 ? PhaseLayout.toImage(PhaseLayout.upsample(xi, f))
                                : xi.getNDArrayInternal().interpolation(new long[] {5L * f, 7L * f}, 1, false);
                        assertEquals(new Shape(2, 3, 5L * f, 7L * f), y.getShape());
                        out[way] = y.toFloatArray();
                        gc.backward(y.mul(g).sum());
                    }
                    grad[way] = xi.getGradient().toFloatArray();
                }
                assertClose(out[1], out[0], 1, "values, x" + f);
                // each input gradient sums about f x f products of unit size, in another order
                assertClose(grad[1], grad[0], f * f / 8f, "gradients, x" + f);
            }
        }
    }

    /** The heads' block: libtorch's kernel in inference, the convolution in training, the same values; phase layout on request. */
    @Test
    void inferenceAndTrainingUpsamplingAgree() {
        try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
            NDArray x = nd.randomNormal(new Shape(1, 19, 8, 16));
            Layers.UpsampleBilinear up = new Layers.UpsampleBilinear(8);
            up.initialize(nd, ai.djl.ndarray.types.DataType.FLOAT32, x.getShape());
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(nd, false);
            NDArray inference = up.forward(ps, new ai.djl.ndarray.NDList(x), false).singletonOrThrow();
            NDArray training = up.forward(ps, new ai.djl.ndarray.NDList(x), true).singletonOrThrow();
            assertEquals(new Shape(1, 19, 64, 128), inference.getShape());
            assertClose(training.toFloatArray(), inference.toFloatArray(), 1, "inference against training upsampling");
            ai.djl.util.PairList<String, Object> phase = new ai.djl.util.PairList<>();
            phase.add(PhaseLayout.PARAM, true);
            NDArray p = up.forward(ps, new ai.djl.ndarray.NDList(x), true, phase).singletonOrThrow();
            assertEquals(new Shape(1, 19, 8, 8, 8, 16), p.getShape());
            // element (n, c, r, s, i, j) is pixel (8i + r, 8j + s)
            assertEquals(training.getFloat(0, 5, 8 * 3 + 2, 8 * 11 + 7), p.getFloat(0, 5, 2, 7, 3, 11), 1e-6f);
            assertClose(training.toFloatArray(), PhaseLayout.toImage(p).toFloatArray(), 0, "phase layout to image");
        }
    }

    /** Equal up to float rounding: 1e-5 of the value's size plus {@code scale}, the size of the terms summed. */
    private static void assertClose(float[] expected, float[] actual, float scale, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-5f * (scale + Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > tol) {
                org.junit.jupiter.api.Assertions.fail(what + ": index " + i + ": expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
