package dev.bisenet.export;

import dev.bisenet.spec.OnnxMetadata;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.Tensor;
import dev.bisenet.infer.OnnxBackend;
import dev.bisenet.util.TestPython;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExportTest {

    private static final OnnxBackend.Options TWO_THREADS = new OnnxBackend.Options(2);

    @TempDir
    Path dir;

    private static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static void assertFinite(float[] a) {
        for (float v : a) assertTrue(Float.isFinite(v), "non-finite logit " + v);
    }

    /** The ONNX checker of the Python onnx package (full check: with shape inference). */
    @Test
    void onnxCheckerAcceptsTheExports() throws Exception {
        Path dynamic = dir.resolve("dynamic.onnx");
        Path fixed = dir.resolve("fixed.onnx");
        Files.write(dynamic, OnnxTestModels.dynamicArgmax());
        OnnxExporter.write(OnnxTestModels.formula(), "formula", OnnxExportOptions.defaults().withSize(64, 96).withOpset(13)
                .withMetadata(Map.of(OnnxMetadata.MEAN, "[0.5, 0.5, 0.5]")), fixed);
        String script = String.join("\n",
                "import sys, onnx",
                "for path, opset, dims in [(sys.argv[1], 17, ['N', 3, 'H', 'W']), (sys.argv[2], 13, ['N', 3, 64, 96])]:",
                "    m = onnx.load(path)",
                "    onnx.checker.check_model(m, full_check=True)",
                "    assert m.ir_version == 8 and m.producer_name == 'bisenet-java', m.ir_version",
                "    assert [(o.domain, o.version) for o in m.opset_import] == [('', opset)], m.opset_import",
                "    d = [x.dim_param or x.dim_value for x in m.graph.input[0].type.tensor_type.shape.dim]",
                "    assert m.graph.input[0].name == 'input' and d == dims, d",
                "    ops = {n.op_type for n in m.graph.node}",
                "    assert 'BatchNormalization' not in ops and 'Conv' in ops, ops",
                "assert [o.name for o in onnx.load(sys.argv[1]).graph.output] == ['logits', 'labels']",
                "assert {p.key: p.value for p in onnx.load(sys.argv[2]).metadata_props} == {'bisenet.mean': '[0.5, 0.5, 0.5]'}",
                "print('ok')");
        Optional<String> python = TestPython.withModule("onnx");
        Assumptions.assumeTrue(python.isPresent(), "skipped: no python3 with the 'onnx' package (Debian: apt install python3-onnx)");
        TestPython.Result r = TestPython.run(python.get(), script, dynamic.toString(), fixed.toString());
        assertEquals(0, r.status(), r.output());
    }

    @Test
    void argmaxOutputIsTheArgmaxOfTheLogits() {
        try (OnnxBackend b = OnnxBackend.fromBytes(OnnxTestModels.dynamicArgmax(), "formula", TWO_THREADS)) {
            int n = 2, h = 64, w = 96, c = b.numClasses();
            float[] x = FormulaWeights.input(n, h, w);
            float[] logits = b.logits(x, n, h, w);
            int[] labels = b.labels(x, n, h, w);
            assertEquals(n * h * w, labels.length);
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < h * w; p++) {
                    int best = 0;
                    for (int k = 1; k < c; k++) {
                        if (logits[(i * c + k) * h * w + p] > logits[(i * c + best) * h * w + p]) best = k;
                    }
                    assertEquals(best, labels[i * h * w + p], "pixel " + p + " of image " + i);
                    seen.add(best);
                }
            }
            assertTrue(seen.size() > 3, "labels nearly constant: " + seen);
        }
    }

    @Test
    void dynamicModelRunsAtOtherSizesAndBatches() {
        try (OnnxBackend b = OnnxBackend.fromBytes(OnnxTestModels.dynamicArgmax(), "formula", TWO_THREADS)) {
            float[] first = b.logits(FormulaWeights.input(1, 64, 96), 1, 64, 96);
            float[] other = b.logits(FormulaWeights.input(1, 96, 128), 1, 96, 128);
            assertEquals(19 * 96 * 128, other.length);
            assertFinite(other);
            // back to the first size: fresh buffers, same answer
            assertArrayEquals(first, b.logits(FormulaWeights.input(1, 64, 96), 1, 64, 96));
            // image 0 of a batch of 2 is the same image as above
            float[] batch = b.logits(FormulaWeights.input(2, 64, 96), 2, 64, 96);
            float[] image0 = java.util.Arrays.copyOf(batch, first.length);
            assertTrue(maxAbsDiff(first, image0) < 1e-5f);
            assertTrue(maxAbsDiff(first, java.util.Arrays.copyOfRange(batch, first.length, batch.length)) > 1e-2f,
                    "image 1 differs from image 0, so must its logits");
        }
    }

    @Test
    void fixedSizeAndOpset13ExportsGiveTheSameLogits() {
        byte[] fixed = OnnxExporter.export(OnnxTestModels.formula(), "formula",
                OnnxExportOptions.defaults().withSize(64, 96).withOpset(13));
        float[] x = FormulaWeights.input(1, 64, 96);
        try (OnnxBackend d = OnnxBackend.fromBytes(OnnxTestModels.dynamicArgmax(), "dynamic", TWO_THREADS);
                OnnxBackend f = OnnxBackend.fromBytes(fixed, "fixed", TWO_THREADS)) {
            assertEquals(64, f.fixedHeight());
            assertEquals(96, f.fixedWidth());
            assertEquals(-1, d.fixedHeight());
            assertTrue(!f.hasLabels() && d.hasLabels());
            assertTrue(maxAbsDiff(d.logits(x, 1, 64, 96), f.logits(x, 1, 64, 96)) < 1e-5f);
            UserException e = assertThrows(UserException.class,
                    () -> f.logits(FormulaWeights.input(1, 96, 128), 1, 96, 128));
            assertTrue(e.getMessage().contains("64x96"), e.getMessage());
        }
    }

    @Test
    void largeAndNarrowHeadStateDictsExportWithoutFlags() {
        StateDict large = FormulaWeights.stateDict(19, true, 2, 3, 2048);
        StateDict narrow = FormulaWeights.stateDict(7, false, 1, 1, 128);
        for (StateDict sd : List.of(large, narrow)) {
            int classes = (int) sd.get("head.conv_out.1.weight").shape()[0];
            try (OnnxBackend b = OnnxBackend.fromBytes(OnnxExporter.export(sd, "sd", OnnxExportOptions.defaults()), "sd", TWO_THREADS)) {
                assertEquals(classes, b.numClasses());
                float[] logits = b.logits(FormulaWeights.input(1, 64, 64), 1, 64, 64);
                assertEquals(classes * 64 * 64, logits.length);
                assertFinite(logits);
            }
        }
        // the Large export really has the extra layers: it is about four times the base size
        byte[] base = OnnxTestModels.dynamicArgmax();
        byte[] big = OnnxExporter.export(large, "large", OnnxExportOptions.defaults());
        assertTrue(big.length > 3 * base.length, big.length + " vs " + base.length);
    }

    @Test
    void modulePrefixesAreStripped() {
        StateDict prefixed = new StateDict();
        OnnxTestModels.formula().asMap().forEach((k, v) -> prefixed.put("module." + k, v));
        byte[] a = OnnxExporter.export(prefixed, "ddp", OnnxExportOptions.defaults().withArgmax(true));
        assertArrayEquals(OnnxTestModels.dynamicArgmax(), a);
    }

    @Test
    void badStateDictsAreRefusedWithTheKeyNamed() {
        StateDict legacy = copy();
        legacy.put("head.conv_out.weight", Tensor.ofFloats(new long[] {19, 1024, 1, 1}, new float[19 * 1024]));
        assertMessage(legacy, "2020");

        StateDict missing = copy();
        missing.remove("bga.left2.1.running_var");
        assertMessage(missing, "missing bga.left2.1.running_var");

        StateDict extra = copy();
        extra.put("segment.S4.1.extra.weight", Tensor.ofFloats(new long[] {1}, new float[1]));
        assertMessage(extra, "segment.S4.1.extra.weight");

        StateDict wrongShape = copy();
        wrongShape.put("bga.conv.1.weight", Tensor.ofFloats(new long[] {64}, new float[64]));
        assertMessage(wrongShape, "bga.conv.1.weight has 64 channels");

        StateDict negativeVar = copy();
        float[] var = negativeVar.get("detail.S2.1.bn.running_var").toFloats();
        var[3] = -1;
        negativeVar.put("detail.S2.1.bn.running_var", Tensor.ofFloats(new long[] {var.length}, var));
        assertMessage(negativeVar, "detail.S2.1.bn.running_var[3]");
    }

    @Test
    void writeIsAtomicAndCarriesMetadata() throws IOException {
        Path file = dir.resolve("sub/model.onnx");
        OnnxMetadata meta = new OnnxMetadata(List.of("a", "b", "c", "d", "e", "f", "g"), null,
                new float[] {0.3257f, 0.369f, 0.3223f}, new float[] {0.2112f, 0.2148f, 0.2115f}, "pad");
        OnnxExporter.write(FormulaWeights.stateDict(7, false, 1, 1, 128), "narrow",
                OnnxExportOptions.defaults().withMetadata(meta.toProperties()), file);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        try (OnnxBackend b = OnnxBackend.open(file, TWO_THREADS)) {
            OnnxMetadata back = b.metadata();
            assertEquals(meta.classes(), back.classes());
            assertArrayEquals(meta.mean(), back.mean());
            assertArrayEquals(meta.std(), back.std());
            assertEquals("pad", back.inputRule());
            assertEquals(null, back.palette());
        }
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> OnnxExportOptions.defaults().withOpset(12));
        assertThrows(IllegalArgumentException.class, () -> OnnxExportOptions.defaults().withOpset(18));
        assertThrows(IllegalArgumentException.class, () -> OnnxExportOptions.defaults().withSize(64, 100));
        assertThrows(IllegalArgumentException.class, () -> OnnxExportOptions.defaults().withSize(0, 64));
    }

    private static StateDict copy() {
        return new StateDict(OnnxTestModels.formula().asMap());
    }

    private static void assertMessage(StateDict sd, String expected) {
        UserException e = assertThrows(UserException.class,
                () -> OnnxExporter.export(sd, "my.pth", OnnxExportOptions.defaults()));
        assertTrue(e.getMessage().startsWith("my.pth") && e.getMessage().contains(expected), e.getMessage());
    }
}
