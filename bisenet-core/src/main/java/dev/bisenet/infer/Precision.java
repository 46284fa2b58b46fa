package dev.bisenet.infer;

import dev.bisenet.util.UserException;
import java.util.Locale;

/** The arithmetic a model runs in: float32, or int8 (ONNX Runtime, static quantization). */
public enum Precision {
    FP32, INT8;

    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.cliName().equals(s)) {
                return p;
            }
        }
        throw new UserException("--precision is fp32 or int8, got " + s);
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
