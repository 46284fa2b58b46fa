package dev.bisenet.export;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to export: input size (fixed, or 0 x 0 for dynamic height and width), ONNX opset, whether
 * to add an argmax {@code labels} output, metadata key/values (see {@link dev.bisenet.spec.OnnxMetadata}), and
 * int8 quantization ({@code int8} null: float32). The batch size is always dynamic.
 */
public record OnnxExportOptions(int height, int width, int opset, boolean argmax, Map<String, String> metadata,
        Int8Options int8) {

    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 17;
    public static final int DEFAULT_OPSET = 17;

    public OnnxExportOptions {
        boolean dynamic = height == 0 && width == 0;
        if (!dynamic && (height <= 0 || width <= 0 || height % 32 != 0 || width % 32 != 0)) {
            throw new IllegalArgumentException("a fixed export size must be positive multiples of 32 (BiSeNetV2"
                    + " downsamples by 32), got " + height + "x" + width + "; use 0x0 for a dynamic size");
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("opset " + opset + " is not supported; use " + MIN_OPSET + " to " + MAX_OPSET);
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("metadata keys must be non-empty and values non-null: " + e);
            }
        }
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Dynamic size, opset 17, logits only, no metadata. */
    public static OnnxExportOptions defaults() {
        return new OnnxExportOptions(0, 0, DEFAULT_OPSET, false, Map.of(), null);
    }

    public boolean dynamicSize() {
        return height == 0;
    }

    public OnnxExportOptions withSize(int h, int w) {
        return new OnnxExportOptions(h, w, opset, argmax, metadata, int8);
    }

    public OnnxExportOptions withOpset(int n) {
        return new OnnxExportOptions(height, width, n, argmax, metadata, int8);
    }

    public OnnxExportOptions withArgmax(boolean on) {
        return new OnnxExportOptions(height, width, opset, on, metadata, int8);
    }

    public OnnxExportOptions withMetadata(Map<String, String> m) {
        return new OnnxExportOptions(height, width, opset, argmax, m, int8);
    }

    /** Quantized to int8 as {@code q} says; null for float32. */
    public OnnxExportOptions withInt8(Int8Options q) {
        return new OnnxExportOptions(height, width, opset, argmax, metadata, q);
    }

    /** Quantized to int8 with the recommended settings ({@link Int8Options#of}). */
    public OnnxExportOptions withInt8(Calibration calibration) {
        return withInt8(Int8Options.of(calibration));
    }

    public boolean isInt8() {
        return int8 != null;
    }
}
