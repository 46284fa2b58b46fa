package dev.bisenet.cli;

import dev.bisenet.data.Preset;
import dev.bisenet.infer.Backends;
import dev.bisenet.infer.ModelLoader;
import dev.bisenet.infer.Precision;
import dev.bisenet.infer.Segmenter;
import dev.bisenet.util.UserException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options that choose a model and describe it: checkpoint, preset, class count, normalisation,
 * backend. Shared by predict, eval, export and bench.
 */
public final class ModelOptions {

    // Commands parse these flags and hand them to ModelLoader, which opens and describes the model.

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Model: a .pth state_dict in the reference layout (its sidecar NAME.json is used when present) or an .onnx file.")
    Path checkpoint;

    @Option(names = "--classes", paramLabel = "N",
            description = "Expected class count; read from the checkpoint, so this is only a check (a conflict is an error).")
    Integer classes;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Dataset preset for class names, palette and normalisation: cityscapes, camvid, coco, ade20k.")
    String preset;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", description = "Normalisation mean of RGB/255 (overrides sidecar and preset).")
    float[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", description = "Normalisation std of RGB/255 (overrides sidecar and preset).")
    float[] std;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Inference engine: onnx (ONNX Runtime; a .pth is exported in memory) or pytorch (DJL, eager)."
                    + " Default: onnx for predict, pytorch for eval and bench.")
    String backend;

    @Option(names = "--precision", defaultValue = "fp32",
            description = "fp32 (default) or int8 (ONNX Runtime, static quantization; needs a calibration: --calibration or NAME.int8.json beside the checkpoint).")
    String precision;

    @Option(names = "--calibration", paramLabel = "FILE.json", description = "int8 calibration written by 'export --precision int8'.")
    Path calibration;

    @Option(names = "--head-width", description = "Without --checkpoint: width of the head's 3x3 conv for the random model (default 1024, the reference).")
    Integer headWidth;

    /** The backend a command uses when --backend is not given. */
    public String defaultBackend = "pytorch";

    /** The shipped CamVid model, relative to the installation. */
    static Path shippedCamvidModel() {
        String home = System.getProperty("bisenet.home", ".");
        return Path.of(home, "models", "bisenetv2_camvid.pth");
    }

    /** The --preset flag, parsed; null when absent. */
    public Preset presetOrNull() {
        return preset == null ? null : Preset.parse(preset);
    }

    /** The checkpoint to load: the given one, or the shipped model of the preset, or null. */
    public Path resolveCheckpoint() {
        if (checkpoint != null) {
            if (!Files.isRegularFile(checkpoint)) {
                throw new UserException(checkpoint + ": no such checkpoint file");
            }
            return checkpoint;
        }
        Preset p = presetOrNull();
        if (p == Preset.CAMVID && Files.isRegularFile(shippedCamvidModel())) {
            return shippedCamvidModel();
        }
        return null;
    }

    /** The loader's options these flags give (defaults where a flag is absent). */
    public ModelLoader.Options loaderOptions(int threads) {
        return new ModelLoader.Options()
                .checkpoint(resolveCheckpoint())
                .preset(presetOrNull())
                .classes(classes)
                .normalisation(mean, std)
                .backend(Backends.Kind.parse(backend != null ? backend : defaultBackend))
                .precision(Precision.parse(precision))
                .calibration(calibration)
                .headWidth(headWidth)
                .threads(threads);
    }

    /** Loads the model (or builds a random one, with a warning) and describes it. */
    public ModelLoader.Loaded openBackend(PrintStream log, int threads) {
        return ModelLoader.open(loaderOptions(threads), log);
    }

    /** The model as a {@link Segmenter}. */
    public Segmenter open(PrintStream log, int threads) {
        return openBackend(log, threads).segmenter();
    }
}
