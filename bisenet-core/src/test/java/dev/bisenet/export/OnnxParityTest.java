package dev.bisenet.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.infer.OnnxBackend;
import dev.bisenet.util.Npy;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The exported graph against the reference PyTorch model: same formula weights, same input,
 * logits that PyTorch 1.13 computed once (src/test/python/make_parity_fixture.py).
 */
class OnnxParityTest {

    static Path fixture() throws URISyntaxException {
        return Path.of(OnnxParityTest.class.getResource("/fixtures/bisenetv2_formula_logits_1x19x64x96.npy").toURI());
    }

    @Test
    void logitsMatchThePyTorchReference() throws Exception {
        Npy.FloatArray expected = Npy.readFloats(fixture());
        assertArrayEquals(new long[] {1, 19, 64, 96}, expected.shape());
        try (OnnxBackend b = OnnxBackend.fromBytes(OnnxTestModels.dynamicArgmax(), "formula", new OnnxBackend.Options(2))) {
            float[] logits = b.logits(FormulaWeights.input(1, 64, 96), 1, 64, 96);
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < logits.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(logits[i] - expected.data()[i]));
                maxAbs = Math.max(maxAbs, Math.abs(expected.data()[i]));
            }
            System.out.printf("ONNX vs PyTorch: max |diff| %.2e (logits up to %.2f)%n", maxDiff, maxAbs);
            assertTrue(maxDiff <= 1e-3, "max abs diff " + maxDiff + " > 1e-3");
            // a fixture of near-constant logits would make the comparison meaningless
            assertTrue(maxAbs > 1, "fixture logits are too small to test anything: " + maxAbs);
        }
    }
}
