package dev.bisenet.export;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.StateDict;

/** Exports shared by the ONNX tests, built once per test JVM (an export takes about a second). */
public final class OnnxTestModels {

    public static final int CLASSES = 19;

    private static StateDict formula;
    private static byte[] dynamicArgmax;

    private OnnxTestModels() {}

    /** The formula weights of {@link FormulaWeights}, 19 classes, with booster heads. */
    public static synchronized StateDict formula() {
        if (formula == null) {
            formula = FormulaWeights.stateDict(CLASSES, true);
        }
        return formula;
    }

    /** The formula weights exported with dynamic size, opset 17, logits and labels. */
    public static synchronized byte[] dynamicArgmax() {
        if (dynamicArgmax == null) {
            dynamicArgmax = OnnxExporter.export(formula(), "formula weights",
                    OnnxExportOptions.defaults().withArgmax(true));
        }
        return dynamicArgmax;
    }
}
