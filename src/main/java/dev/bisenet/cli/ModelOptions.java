package dev.bisenet.cli;

import dev.bisenet.checkpoint.Sidecar;
import dev.bisenet.data.Preset;
import dev.bisenet.infer.Backend;
import dev.bisenet.infer.Backends;
import dev.bisenet.infer.ModelInfo;
import dev.bisenet.infer.OnnxBackend;
import dev.bisenet.infer.Segmenter;
import dev.bisenet.model.ModelSpec;
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

    /** The backend a command uses when --backend is not given (public: serve sets it to onnx, as predict does). */
    public String defaultBackend = "pytorch";

    /** The shipped CamVid model, relative to the installation. */
    static Path shippedCamvidModel() {
        String home = System.getProperty("bisenet.home", ".");
        return Path.of(home, "models", "bisenetv2_camvid.pth");
    }

    Preset presetOrNull() {
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

    /** A model ready to run, and what its classes are. */
    record Opened(Backend backend, ModelInfo info, Path file) {}

    /** Loads the model (or builds a random one, with a warning) and describes it. */
    Opened openBackend(PrintStream log, int threads) {
        if (mean != null ^ std != null) {
            throw new UserException("--mean and --std go together: give both or neither");
        }
        if ((mean != null && mean.length != 3) || (std != null && std.length != 3)) {
            throw new UserException("--mean and --std take three numbers each, r,g,b (fractions of 255)");
        }
        Backends.Kind kind = Backends.Kind.parse(backend != null ? backend : defaultBackend);
        Path file = resolveCheckpoint();
        Preset p = presetOrNull();
        Backend net;
        ModelInfo fromFile = null;
        if (file != null) {
            if (Backends.isOnnx(file)) {
                kind = Backends.Kind.ONNX;
            }
            dev.bisenet.export.Calibration cal = null;
            if (precision.equals("int8") && !Backends.isOnnx(file)) {
                Path c = calibration != null ? calibration : Backends.calibrationFor(file);
                if (!Files.isRegularFile(c)) {
                    throw new UserException("--precision int8 needs a calibration: " + c + " does not exist; make one with"
                            + " ./bisenet export --checkpoint " + file + " --precision int8 --calib-data DATASET_DIR --preset P");
                }
                cal = dev.bisenet.export.Calibration.read(c);
                kind = Backends.Kind.ONNX;
            } else if (!precision.equals("fp32") && !precision.equals("int8")) {
                throw new UserException("--precision is fp32 or int8, got " + precision);
            }
            net = Backends.open(file, kind, threads, cal);
            Sidecar side = Backends.isOnnx(file) ? null : Sidecar.readFor(file);
            if (side != null) {
                fromFile = Segmenter.infoOf(side, net.numClasses());
            } else if (net instanceof OnnxBackend onnx) {
                fromFile = Backends.infoOf(onnx.metadata(), net.numClasses());
            }
            log.println("model: " + file + " (" + net.numClasses() + " classes, " + net.name() + " backend)");
        } else {
            int n = classes != null ? classes : p != null ? p.numClasses() : 0;
            if (n <= 0) {
                throw new UserException("no --checkpoint: give --preset or --classes to build a randomly initialised model");
            }
            ModelSpec spec = ModelSpec.reference(n, false);
            if (headWidth != null) {
                spec = new ModelSpec(n, spec.variant(), headWidth, false);
            }
            net = Segmenter.randomPyTorch(spec, 0);
            if (kind == Backends.Kind.ONNX && backend != null) {
                net = Backends.onnxOf((dev.bisenet.infer.DjlBackend) net, threads);
            }
            log.println("warning: no checkpoint given" + (p == Preset.CAMVID ? " and no shipped CamVid model found" : "")
                    + ": the model is RANDOMLY INITIALISED and its output is meaningless");
        }
        if (classes != null && classes != net.numClasses()) {
            net.close();
            throw new UserException("--classes " + classes + " conflicts with the checkpoint, which has "
                    + net.numClasses() + " classes (the count is read from head.conv_out.1.weight)");
        }
        try {
            return new Opened(net, describe(net.numClasses(), fromFile, p, log), file);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    public Segmenter open(PrintStream log, int threads) {
        Opened o = openBackend(log, threads);
        return new Segmenter(o.backend(), o.info());
    }

    /** Class names, palette and normalisation: flags, then sidecar, then preset, then a guess. */
    ModelInfo describe(int numClasses, ModelInfo fromFile, Preset p, PrintStream log) {
        ModelInfo info;
        if (fromFile != null) {
            info = fromFile; // the model's own sidecar or ONNX metadata: what it was trained with
            if (p != null && p.numClasses() != numClasses) {
                throw new UserException("--preset " + p.cliName() + " has " + p.numClasses()
                        + " classes but the model has " + numClasses);
            }
        } else if (p != null) {
            if (p.numClasses() != numClasses) {
                throw new UserException("--preset " + p.cliName() + " has " + p.numClasses()
                        + " classes but the model has " + numClasses);
            }
            info = infoOf(p);
        } else {
            Preset guess = Preset.byClassCount(numClasses);
            if (guess != null) {
                log.println("note: no sidecar and no --preset; assuming " + guess.cliName() + " from the class count ("
                        + numClasses + "); pass --preset to choose");
                info = infoOf(guess);
            } else {
                log.println("note: no sidecar and no --preset: generic class names, ImageNet normalisation");
                info = ModelInfo.generic(numClasses);
            }
        }
        if (mean != null) {
            info = info.withNormalisation(mean, std);
        }
        return info;
    }

    static ModelInfo infoOf(Preset p) {
        return p.info();
    }
}
