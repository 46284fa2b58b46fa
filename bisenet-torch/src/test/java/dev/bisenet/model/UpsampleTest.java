package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The matrix-product bilinear upsampling against libtorch's own interpolation, values and gradients. */
class UpsampleTest {

    @Test
    void weightsFollowAlignCornersFalse() {
        float[] m = Layers.bilinearWeights(3, 2); // 3 -> 6: sources -0.25(->0), 0.25, 0.75, 1.25, 1.75, 2.25(->2)
        float[][] expect = {{1, 0.75f, 0.25f, 0, 0, 0}, {0, 0.25f, 0.75f, 0.75f, 0.25f, 0}, {0, 0, 0, 0.25f, 0.75f, 1}};
        for (int i = 0; i < 3; i++) {
            float[] row = java.util.Arrays.copyOfRange(m, i * 6, i * 6 + 6);
            assertArrayEquals(expect[i], row, 1e-7f, "row " + i);
        }
        for (int o = 0; o < 6; o++) {
            assertEquals(1f, m[o] + m[6 + o] + m[12 + o], 1e-7f, "column " + o + " sums to 1");
        }
    }

    @Test
    void matchesLibtorchInterpolationWithGradients() {
        for (int f : new int[] {4, 8, 32}) {
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
                        NDArray y = way == 0 ? Layers.upsampleBilinear(xi, f)
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

    /** The heads' block: libtorch's kernel in inference, the products in training, the same values. */
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
