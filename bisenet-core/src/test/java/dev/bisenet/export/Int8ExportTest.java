package dev.bisenet.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.infer.OnnxBackend;
import dev.bisenet.util.TestPython;
import dev.bisenet.util.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The int8 (QDQ) export on the formula weights at 64x96: valid ONNX, runs in ONNX Runtime with
 * integer kernels, and stays close to the float32 export.
 */
class Int8ExportTest {

    private static final int H = 64;
    private static final int W = 96;
    private static final OnnxBackend.Options TWO_THREADS = new OnnxBackend.Options(2);
    /** Images 0..3 of {@link FormulaWeights#input} calibrate; image 5, never seen, is the test input. */
    private static final int CALIBRATION_IMAGES = 4;

    private static Calibration calibration;

    @TempDir
    Path dir;

    static synchronized Calibration calibration() {
        if (calibration == null) {
            float[] batch = FormulaWeights.input(CALIBRATION_IMAGES, H, W);
            try (Calibrator c = Calibrator.create(OnnxTestModels.formula(), "formula", 2)) {
                for (int i = 0; i < CALIBRATION_IMAGES; i++) {
                    c.add(Arrays.copyOfRange(batch, i * 3 * H * W, (i + 1) * 3 * H * W), H, W);
                }
                calibration = c.calibration(RangeMethod.minMax());
            }
        }
        return calibration;
    }

    private static float[] testImage() {
        float[] batch = FormulaWeights.input(6, H, W);
        return Arrays.copyOfRange(batch, 5 * 3 * H * W, 6 * 3 * H * W);
    }

    private static byte[] int8(Int8Options q) {
        return OnnxExporter.export(OnnxTestModels.formula(), "formula", OnnxExportOptions.defaults().withArgmax(true).withInt8(q));
    }

    @Test
    void calibrationCoversEveryQuantizableActivationAndRoundTripsAsJson() {
        Calibration c = calibration();
        assertEquals(CALIBRATION_IMAGES, c.images());
        assertEquals("minmax", c.method());
        assertTrue(c.ranges().size() > 70, "ranges for " + c.ranges().size() + " tensors");
        for (String t : new String[] {"input", "detail.S1.0.relu", "segment.S1S2.cat", "bga.up1", "head.conv.relu", "logits"}) {
            assertTrue(c.ranges().containsKey(t), "no range for " + t + " in " + c.ranges().keySet());
        }
        // a ReLU's input is never quantized (the ReLU's output is), so it is not calibrated
        assertTrue(!c.ranges().containsKey("detail.S1.0"));
        // ReLU outputs are non-negative, and every range holds the values seen
        assertEquals(0f, c.range("detail.S1.0.relu").min());
        assertTrue(c.range("input").min() < -1 && c.range("input").max() > 1, c.range("input").toString());
        assertEquals(c, Calibration.fromJson(c.toJson(), "json"));
    }

    @Test
    void calibrationIsIndependentOfImageOrder() {
        float[] batch = FormulaWeights.input(2, H, W);
        int n = 3 * H * W;
        Calibration[] results = new Calibration[2];
        for (int order = 0; order < 2; order++) {
            try (Calibrator c = Calibrator.create(OnnxTestModels.formula(), "formula", 2)) {
                for (int k = 0; k < 2; k++) {
                    int i = order == 0 ? k : 1 - k;
                    c.add(Arrays.copyOfRange(batch, i * n, (i + 1) * n), H, W);
                }
                results[order] = c.calibration(RangeMethod.percentile(99.9));
            }
        }
        assertEquals(results[0], results[1]);
    }

    /** The Python onnx package's checker, with shape inference, on the QDQ model. */
    @Test
    void int8ExportPassesTheOnnxChecker() throws Exception {
        Path file = dir.resolve("int8.onnx");
        Files.write(file, int8(Int8Options.of(calibration())));
        Path opset13 = dir.resolve("int8-opset13.onnx");
        Files.write(opset13, OnnxExporter.export(OnnxTestModels.formula(), "formula", OnnxExportOptions.defaults()
                .withSize(H, W).withOpset(13).withArgmax(true).withInt8(Int8Options.of(calibration()).withPerChannelWeights(false))));
        Optional<String> python = TestPython.withModule("onnx");
        Assumptions.assumeTrue(python.isPresent(), "skipped: no python3 with the 'onnx' package (Debian: apt install python3-onnx)");
        String script = String.join("\n",
                "import sys, onnx",
                "onnx.checker.check_model(onnx.load(sys.argv[2]), full_check=True)",
                "m = onnx.load(sys.argv[1])",
                "onnx.checker.check_model(m, full_check=True)",
                "ops = [n.op_type for n in m.graph.node]",
                "assert ops.count('QuantizeLinear') > 50 and ops.count('DequantizeLinear') > 100, ops",
                "w = {t.name: t for t in m.graph.initializer}",
                "qw = [t for t in m.graph.initializer if t.data_type == onnx.TensorProto.INT8 and len(t.dims) == 4]",
                "assert len(qw) == 56 - 16 - 1, len(qw)  # all convs but the depthwise ones and the classifier (a 2-D MatMul weight)",
                "assert sum(1 for t in m.graph.initializer if t.data_type == onnx.TensorProto.INT8 and len(t.dims) == 2) == 1",
                "assert [o.name for o in m.graph.output] == ['logits', 'labels']",
                "assert m.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT",
                "assert any(p.key == 'bisenet.quantization' for p in m.metadata_props)",
                "print('ok')");
        TestPython.Result r = TestPython.run(python.get(), script, file.toString(), opset13.toString());
        assertEquals(0, r.status(), r.output());
    }

    /**
     * On an image the calibration never saw, at least 90% of the int8 model's labels equal the
     * float32 model's, and the logits differ by at most 5% of their spread. (The formula weights
     * are random: their class scores are closer to each other than a trained network's, and
     * 4 calibration images are few, so this bound is loose; {@code Int8CamVidTest} holds a
     * trained checkpoint to a tighter one.)
     */
    @Test
    void int8LabelsAgreeWithFloat32() {
        float[] x = testImage();
        try (OnnxBackend f = OnnxBackend.fromBytes(OnnxTestModels.dynamicArgmax(), "fp32", TWO_THREADS);
                OnnxBackend q = OnnxBackend.fromBytes(int8(Int8Options.of(calibration())), "int8", TWO_THREADS)) {
            float[] lf = f.logits(x, 1, H, W);
            float[] lq = q.logits(x, 1, H, W);
            int[] af = f.labels(x, 1, H, W);
            int[] aq = q.labels(x, 1, H, W);
            int same = 0;
            for (int i = 0; i < af.length; i++) if (af[i] == aq[i]) same++;
            double agree = (double) same / af.length;
            float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE, maxDiff = 0;
            for (int i = 0; i < lf.length; i++) {
                lo = Math.min(lo, lf[i]);
                hi = Math.max(hi, lf[i]);
                maxDiff = Math.max(maxDiff, Math.abs(lf[i] - lq[i]));
            }
            System.out.printf("int8 vs fp32 on formula weights: %.2f%% labels agree, max |logit diff| %.3f of range %.3f%n",
                    100 * agree, maxDiff, hi - lo);
            assertTrue(agree >= 0.90, "labels agree on " + agree);
            assertTrue(maxDiff <= 0.05 * (hi - lo), "max logit difference " + maxDiff + " for a spread of " + (hi - lo));
            assertTrue(maxDiff > 0, "the int8 model is not the float model");
        }
    }

    /** ONNX Runtime's profile shows which kernels ran: convs as QLinearConv, or in float where asked. */
    @Test
    void convsRunAsIntegerKernels() throws Exception {
        Int8Options allConvs = Int8Options.of(calibration()).withKeepFloat(EnumSet.of(Int8Options.Part.OUTPUT));
        OrtProfile.Summary all = OrtProfile.run(int8(allConvs), testImage(), H, W, 2, 2, dir, Map.of());
        System.out.print("int8 model, kernels per run:\n" + all.table());
        int convs = countConvs();
        assertEquals(convs, all.count("QLinearConv"), all.kernels().toString());
        assertEquals(0, all.count("Conv") + all.count("FusedConv"), all.kernels().toString());
        assertTrue(all.count("QLinearAdd") >= 10 && all.count("QLinearSigmoid") == 2 && all.count("QLinearMul") == 2,
                all.kernels().toString());

        // Depthwise convs left in float32 run as float convs (ONNX Runtime does not quantize them itself)
        byte[] dwFloat = int8(allConvs.withKeepFloat(EnumSet.of(Int8Options.Part.DEPTHWISE, Int8Options.Part.OUTPUT)));
        OrtProfile.Summary dw = OrtProfile.run(dwFloat, testImage(), H, W, 2, 2, dir, Map.of());
        int depthwise = countDepthwise();
        assertEquals(convs - depthwise, dw.count("QLinearConv"), dw.kernels().toString());
        assertEquals(depthwise, dw.count("Conv") + dw.count("FusedConv"), dw.kernels().toString());
        // float class scores: the classifier becomes an integer product with a float result
        OrtProfile.Summary cls = OrtProfile.run(int8(allConvs.withKeepFloat(
                EnumSet.of(Int8Options.Part.CLASSIFIER, Int8Options.Part.OUTPUT))), testImage(), H, W, 2, 1, dir, Map.of());
        assertEquals(convs - 1, cls.count("QLinearConv"), cls.kernels().toString());
        assertEquals(1, cls.count("MatMulIntegerToFloat"), cls.kernels().toString());
        assertEquals(0, cls.count("Conv") + cls.count("FusedConv") + cls.count("MatMul"), cls.kernels().toString());

        // the recommended settings: both
        OrtProfile.Summary rec = OrtProfile.run(int8(Int8Options.of(calibration())), testImage(), H, W, 2, 1, dir, Map.of());
        assertEquals(convs - depthwise - 1, rec.count("QLinearConv"), rec.kernels().toString());
        assertEquals(depthwise, rec.count("Conv") + rec.count("FusedConv"), rec.kernels().toString());
        assertEquals(1, rec.count("MatMulIntegerToFloat"), rec.kernels().toString());
    }

    private static int countConvs() {
        int n = 0;
        for (String k : OnnxTestModels.formula().keys()) {
            if (k.startsWith("aux")) continue;
            if (k.endsWith(".weight") && OnnxTestModels.formula().get(k).rank() == 4) n++;
        }
        return n;
    }

    private static int countDepthwise() {
        int n = 0;
        for (String k : OnnxTestModels.formula().keys()) {
            long[] s = OnnxTestModels.formula().get(k).shape();
            if (!k.startsWith("aux") && s.length == 4 && s[1] == 1 && s[0] > 1) n++;
        }
        return n;
    }

    @Test
    void everyOptionCombinationRunsAndStaysClose() {
        float[] x = testImage();
        try (OnnxBackend f = OnnxBackend.fromBytes(OnnxTestModels.dynamicArgmax(), "fp32", TWO_THREADS)) {
            int[] af = f.labels(x, 1, H, W);
            Int8Options base = Int8Options.of(calibration()).withKeepFloat(EnumSet.of(Int8Options.Part.OUTPUT));
            Map<String, Int8Options> variants = new LinkedHashMap<>();
            variants.put("recommended", Int8Options.of(calibration()));
            variants.put("all convs int8", base);
            variants.put("int8 activations", base.withActivations(Int8Options.Activations.INT8));
            variants.put("per-tensor weights", base.withPerChannelWeights(false));
            variants.put("everything int8", base.withKeepFloat(EnumSet.noneOf(Int8Options.Part.class)));
            variants.put("head, classifier, gates float", base.withKeepFloat(
                    EnumSet.of(Int8Options.Part.HEAD, Int8Options.Part.CLASSIFIER, Int8Options.Part.GATES)));
            for (Map.Entry<String, Int8Options> v : variants.entrySet()) {
                try (OnnxBackend q = OnnxBackend.fromBytes(int8(v.getValue()), v.getKey(), TWO_THREADS)) {
                    int[] aq = q.labels(x, 1, H, W);
                    int same = 0;
                    for (int i = 0; i < af.length; i++) if (af[i] == aq[i]) same++;
                    assertTrue(same >= 0.9 * af.length, v.getKey() + ": labels agree on " + same + " of " + af.length);
                }
            }
        }
    }

    @Test
    void aCalibrationOfOtherWeightsIsRefused() {
        StateDict other = FormulaWeights.stateDict(OnnxTestModels.CLASSES, true);
        float[] w = other.get("detail.S1.0.conv.weight").toFloats();
        w[0] += 0.5f;
        other.put("detail.S1.0.conv.weight", dev.bisenet.checkpoint.Tensor.ofFloats(new long[] {64, 3, 3, 3}, w));
        UserException e = assertThrows(UserException.class, () -> OnnxExporter.export(other, "other.pth",
                OnnxExportOptions.defaults().withInt8(calibration())));
        assertTrue(e.getMessage().startsWith("other.pth") && e.getMessage().contains("calibrat"), e.getMessage());

        Map<String, Calibration.Range> fewer = new LinkedHashMap<>(calibration().ranges());
        fewer.remove("bga.left");
        Calibration partial = new Calibration("formula", calibration().fingerprint(), "minmax", 4, fewer);
        e = assertThrows(UserException.class, () -> int8(Int8Options.of(partial)));
        assertTrue(e.getMessage().contains("bga.left"), e.getMessage());
    }

    @Test
    void malformedCalibrationFilesAreNamed() throws Exception {
        Path file = dir.resolve("cal.json");
        Files.writeString(file, "{\"format\": \"something-else\"}");
        UserException e = assertThrows(UserException.class, () -> Calibration.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("not a calibration"), e.getMessage());
        Files.writeString(file, calibration().toJson().replaceFirst("\\[ *(-?[0-9.E-]+), *(-?[0-9.E-]+) *\\]", "[1.0, -1.0]"));
        e = assertThrows(UserException.class, () -> Calibration.read(file));
        assertTrue(e.getMessage().contains("min <= max"), e.getMessage());
        assertThrows(UserException.class, () -> Calibration.read(dir.resolve("absent.json")));
        calibration().write(file);
        assertEquals(calibration(), Calibration.read(file));
    }
}
