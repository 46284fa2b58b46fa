package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.torch.DjlBackend;
import dev.bisenet.util.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import dev.bisenet.spec.ModelSpec;

/**
 * The DJL network against the reference PyTorch model: both run the same formula weights
 * (randomised BatchNorm statistics included) on the same formula input; PyTorch's logits were
 * computed once by src/test/python/make_parity_fixture.py.
 */
class PyTorchParityTest {

    @Test
    void logitsMatchTheReferenceImplementation() throws Exception {
        Path fixture = Path.of(getClass().getResource("/fixtures/bisenetv2_formula_logits_1x19x64x96.npy").toURI());
        Npy.FloatArray expected = Npy.readFloats(fixture);
        assertArrayEquals(new long[] {1, 19, 64, 96}, expected.shape());
        StateDict sd = FormulaWeights.stateDict(19, true);
        ModelSpec spec = ModelSpec.detect(sd, "formula").withBoosters(false);
        Model model = BiSeNetV2.newModel(spec, OutputMode.EVAL);
        Weights.Report r = Weights.load((BiSeNetV2) model.getBlock(), sd, "formula", Weights.Fit.STRICT);
        assertTrue(r.loaded() > 0 && r.missing().isEmpty(), r.summary());
        try (DjlBackend b = new DjlBackend(model, true)) {
            float[] logits = b.logits(FormulaWeights.input(1, 64, 96), 1, 64, 96);
            double maxDiff = 0;
            for (int i = 0; i < logits.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(logits[i] - expected.data()[i]));
            }
            System.out.println("DJL vs PyTorch logits: max abs diff " + maxDiff);
            assertTrue(maxDiff <= 1e-3, "max |DJL - PyTorch| = " + maxDiff);

            int[] labels = b.labels(FormulaWeights.input(1, 64, 96), 1, 64, 96);
            int agree = 0;
            for (int p = 0; p < labels.length; p++) {
                int best = 0;
                for (int c = 1; c < 19; c++) {
                    if (expected.data()[c * labels.length + p] > expected.data()[best * labels.length + p]) best = c;
                }
                if (best == labels[p]) agree++;
            }
            assertTrue(agree >= labels.length - 2, "in-graph argmax agrees with PyTorch's on " + agree + "/" + labels.length);
        }
    }
}
