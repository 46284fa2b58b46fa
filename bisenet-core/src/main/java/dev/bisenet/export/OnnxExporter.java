package dev.bisenet.export;

import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.util.AtomicFiles;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a BiSeNetV2 checkpoint as a self-contained ONNX model for inference, straight from its
 * weights (no PyTorch needed): BatchNorm folded, booster heads dropped, standard operators only.
 *
 * <p>Interface of the model: input {@code input} float32 (N, 3, H, W), normalised RGB; output
 * {@code logits} float32 (N, classes, H, W) at the input's size; with argmax also {@code labels}
 * int32 (N, H, W), the class of each pixel (int32 as the reference's own export, and half the
 * size of int64). N, H and W are the dynamic dimensions {@code N}, {@code H}, {@code W} unless a
 * size is fixed. H and W must be multiples of 32.
 *
 * <p>With {@link OnnxExportOptions#withInt8} the same network is written in ONNX's QDQ form (see
 * {@link Int8Options}), with activation ranges from a {@link Calibration} of this checkpoint;
 * the interface stays the same (float32 in, float32 logits out).
 */
public final class OnnxExporter {

    public static final String INPUT = "input";
    public static final String LOGITS = "logits";
    public static final String LABELS = "labels";
    public static final String PRODUCER = "bisenet-java";
    /** Metadata key of an int8 export: how it was quantized. */
    public static final String QUANTIZATION_KEY = "bisenet.quantization";
    /** IR version 8 (ONNX 1.10 to 1.12) carries opsets up to 17. */
    public static final int IR_VERSION = 8;

    private OnnxExporter() {}

    /**
     * The ONNX model bytes for {@code sd} (a reference-layout BiSeNetV2 state dict, with or
     * without {@code module.} prefixes and booster heads).
     *
     * @param source the checkpoint's name, for messages
     * @throws dev.bisenet.util.UserException when the state dict is not a BiSeNetV2 of the
     *     supported layout
     */
    public static byte[] export(StateDict sd, String source, OnnxExportOptions options) {
        sd = sd.withoutModulePrefix();
        ModelSpec spec = ModelSpec.detect(sd, source); // refuses older layouts with a clear message
        int classes = spec.numClasses();

        OnnxGraph g = new OnnxGraph();
        Object h = options.dynamicSize() ? "H" : (Object) (long) options.height();
        Object w = options.dynamicSize() ? "W" : (Object) (long) options.width();
        String input = g.input(INPUT, 3);
        String logits = new BiSeNetV2Graph(g, sd, source).build(input);
        List<byte[]> outputs = new ArrayList<>();
        outputs.add(OnnxProto.valueInfo(logits, OnnxProto.FLOAT, "N", (long) classes, h, w));
        String labels = null;
        if (options.argmax()) {
            labels = g.argmaxChannels(logits, LABELS);
            outputs.add(OnnxProto.valueInfo(labels, OnnxProto.INT32, "N", h, w));
        }
        Map<String, String> metadata = options.metadata();
        if (options.isInt8()) {
            Int8Options q = options.int8();
            if (!q.calibration().fingerprint().equals(Calibration.fingerprint(g))) {
                throw new UserException(source + ": the calibration was made for other weights (" + q.calibration().checkpoint()
                        + "); calibrate this checkpoint (a Calibrator) before an int8 export");
            }
            Set<String> outs = labels == null ? Set.of(logits) : Set.of(logits, labels);
            g = QdqQuantizer.quantize(g, input, outs, q, source);
            metadata = new LinkedHashMap<>(metadata);
            metadata.put(QUANTIZATION_KEY, "int8 QDQ: " + q.describe() + "; calibrated (" + q.calibration().method()
                    + ") on " + q.calibration().images() + " images");
        }
        byte[] graph = g.encode("bisenetv2", List.of(OnnxProto.valueInfo(input, OnnxProto.FLOAT, "N", 3L, h, w)), outputs);
        return OnnxProto.model(IR_VERSION, PRODUCER, null, options.opset(), graph, metadata);
    }

    /**
     * The float32 network of {@code sd} with every activation that an int8 export may quantize
     * ({@link #calibrationTensors}) as an extra output, for a {@link Calibrator} to observe.
     * Dynamic size, opset 17.
     */
    static CalibrationModel calibrationModel(StateDict sd, String source) {
        sd = sd.withoutModulePrefix();
        ModelSpec.detect(sd, source);
        OnnxGraph g = new OnnxGraph();
        String input = g.input(INPUT, 3);
        String logits = new BiSeNetV2Graph(g, sd, source).build(input);
        List<String> tensors = QdqQuantizer.candidates(g, input);
        List<byte[]> outputs = new ArrayList<>();
        outputs.add(OnnxProto.valueInfo(logits, OnnxProto.FLOAT, "N", null, "H", "W"));
        for (String t : tensors) {
            if (!t.equals(logits) && !t.equals(input)) outputs.add(OnnxProto.valueInfo(t, OnnxProto.FLOAT, "N", null, null, null));
        }
        byte[] graph = g.encode("bisenetv2-calibration",
                List.of(OnnxProto.valueInfo(input, OnnxProto.FLOAT, "N", 3L, "H", "W")), outputs);
        byte[] model = OnnxProto.model(IR_VERSION, PRODUCER, null, OnnxExportOptions.DEFAULT_OPSET, graph, Map.of());
        return new CalibrationModel(model, tensors, Calibration.fingerprint(g));
    }

    /**
     * A float32 model whose outputs include the {@code tensors} to calibrate (the input among them
     * is not an output: the caller has it), and the fingerprint of its weights.
     */
    record CalibrationModel(byte[] onnx, List<String> tensors, String fingerprint) {}

    /** {@link #export} into {@code file}, written atomically (a temporary file, then a rename). */
    public static void write(StateDict sd, String source, OnnxExportOptions options, Path file) throws IOException {
        AtomicFiles.write(file, export(sd, source, options));
    }
}
