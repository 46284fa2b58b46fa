package dev.bisenet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class FormulaWeightsTest {

    private static long trainable(StateDict sd) {
        long n = 0;
        for (String k : sd.keys()) {
            if (!k.contains("running_") && !k.endsWith("num_batches_tracked")) {
                n += sd.get(k).numel();
            }
        }
        return n;
    }

    @Test
    void layoutHasTheReleaseKeyCountsAndParameterCounts() {
        StateDict full = FormulaWeights.stateDict(19, true);
        StateDict inference = FormulaWeights.stateDict(19, false);
        assertEquals(383, full.size());
        assertEquals(327, inference.size());
        assertEquals(54, inference.keys().stream().filter(k -> k.endsWith("num_batches_tracked")).count());
        // parameter counts of the reference model (see the reference notes)
        assertEquals(5_231_487, trainable(full));
        assertEquals(3_358_627, trainable(inference));
    }

    @Test
    void layoutEqualsTheReleaseCheckpointKeyList() throws IOException {
        Path tsv = null;
        for (String p : new String[] {dev.bisenet.util.TestPaths.shared("reference").toString()}) {
            Path t = Path.of(p, "bisenetv2-checkpoint-keys.tsv");
            if (Files.exists(t)) tsv = t;
        }
        Assumptions.assumeTrue(tsv != null, "skipped: the reference key list (../shared/reference/bisenetv2-checkpoint-keys.tsv) is absent");
        List<String> expected = Files.readAllLines(tsv).stream().filter(l -> !l.isBlank())
                .map(l -> l.split("\t")[0] + " " + l.split("\t")[1]).toList();
        List<String> actual = new ArrayList<>();
        StateDict sd = FormulaWeights.stateDict(19, true);
        for (String k : sd.keys()) {
            actual.add(k + " " + Tensor.shapeString(sd.get(k).shape()));
        }
        assertEquals(expected, actual);
    }

    @Test
    void largeLayoutScalesWidthsAndStride1Layers() {
        StateDict sd = FormulaWeights.stateDict(19, false, 2, 3, 2048);
        assertEquals(128, sd.get("detail.S1.0.conv.weight").shape()[0]);
        assertTrue(sd.contains("segment.S3.3.conv1.conv.weight"));
        assertFalse(sd.contains("segment.S3.4.conv1.conv.weight"));
        assertTrue(sd.contains("segment.S5_4.9.conv1.conv.weight"));
        assertFalse(sd.contains("segment.S5_4.10.conv1.conv.weight"));
        assertEquals(1536, sd.get("segment.S5_4.1.dwconv.0.weight").shape()[0]); // 6 x 256
        assertEquals(2048, sd.get("head.conv.conv.weight").shape()[0]);
    }

    @Test
    void valuesAgreeWithThePythonGenerator() {
        assertEquals(97 + 2 * 98, FormulaWeights.keyHash("ab"));
        assertEquals(5605, FormulaWeights.keyHash("detail.S1.0.conv.weight"));
        StateDict sd = FormulaWeights.stateDict(19, true);
        // values printed by src/test/python/make_parity_fixture.py's formula()
        assertEquals(0.2661556303501129f, sd.get("detail.S1.0.conv.weight").toFloats()[0]);
        assertEquals(0.23458832502365112f, sd.get("segment.S3.0.conv2.1.weight").toFloats()[5]);
        assertEquals(-0.009378517977893353f, sd.get("head.conv_out.1.bias").toFloats()[18]);
        assertEquals(0.6645306944847107f, sd.get("bga.conv.1.running_var").toFloats()[100]);
        assertEquals(0.7748337388038635f, FormulaWeights.input(2, 64, 96)[((1 * 3 + 2) * 64 + 63) * 96 + 95]);
        assertEquals(0, sd.get("bga.conv.1.num_batches_tracked").toLongs()[0]);
    }

    @Test
    void runningVariancesArePositive() {
        StateDict sd = FormulaWeights.stateDict(19, true);
        for (String k : sd.keys()) {
            if (k.endsWith("running_var")) {
                for (float v : sd.get(k).toFloats()) {
                    assertTrue(v >= 0.5f && v <= 1f, k + " = " + v);
                }
            }
        }
    }
}
