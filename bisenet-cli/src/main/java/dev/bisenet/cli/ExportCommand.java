package dev.bisenet.cli;

import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.data.Preset;
import dev.bisenet.export.OnnxExportOptions;
import dev.bisenet.export.OnnxExporter;
import dev.bisenet.spec.OnnxMetadata;
import dev.bisenet.infer.Backends;
import dev.bisenet.infer.Precision;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.util.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bisenet export}: an ONNX model written straight from a checkpoint's weights. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write an ONNX model from a .pth checkpoint, in Java: BatchNorm folded into the convolutions,",
            "standard operators only (opset 13-17), input 'input' float32 [N,3,H,W] normalised, output 'logits'",
            "float32 [N,C,H,W] at the input's size, with --argmax also 'labels' int32 [N,H,W]. H and W are dynamic",
            "unless --height/--width fix them (multiples of 32). Class names, palette, mean and std go into the",
            "model's metadata, so 'predict' on the .onnx needs no flags."},
        footer = {"", "Example:", "  ./bisenet export --checkpoint models/bisenetv2_camvid.pth --output camvid.onnx --argmax"})
public final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--output", required = true, paramLabel = "FILE.onnx", description = "Where to write the ONNX model.")
    Path output;

    @Option(names = "--height", description = "Fixed input height (default: dynamic).")
    Integer height;

    @Option(names = "--width", description = "Fixed input width (default: dynamic).")
    Integer width;

    @Option(names = "--argmax", description = "Add the 'labels' output (argmax over classes, in the graph).")
    boolean argmax;

    @Option(names = "--opset", defaultValue = "17", description = "ONNX opset, 13 to 17 (default 17).")
    int opset;

    @Option(names = "--calib-data", paramLabel = "DIR", description = "int8: dataset root to calibrate on (its train split, with --preset).")
    Path calibData;

    @Option(names = "--calib-images", defaultValue = "200", description = "int8: images to calibrate on (default 200).")
    int calibImages;

    @Option(names = "--calib-method", defaultValue = "percentile:99.999", description = "int8: minmax, mse or percentile:P (default percentile:99.999).")
    String calibMethod;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (height == null ^ width == null) {
            throw new UserException("--height and --width go together (a fixed size), or neither (dynamic)");
        }
        if (height != null && (height <= 0 || width <= 0 || height % 32 != 0 || width % 32 != 0)) {
            throw new UserException("--height " + height + " --width " + width + ": both must be positive multiples of 32");
        }
        if (model.checkpoint == null) {
            throw new UserException("export needs --checkpoint FILE, a .pth checkpoint");
        }
        if (model.backend != null) {
            throw new UserException("export writes an ONNX model and runs no backend: drop --backend " + model.backend);
        }
        Path checkpoint = model.resolveCheckpoint();
        Integer classes = model.classes;
        String precision = Precision.parse(model.precision).cliName();
        if (Backends.isOnnx(checkpoint)) {
            throw new UserException(checkpoint + " is already an ONNX model; export reads a .pth checkpoint");
        }
        StateDict sd = PthReader.readStateDict(checkpoint);
        String name = checkpoint.getFileName().toString();
        ModelSpec spec = ModelSpec.detect(sd.withoutModulePrefix(), name);
        if (classes != null && classes != spec.numClasses()) {
            throw new UserException("--classes " + classes + " conflicts with the checkpoint, which has " + spec.numClasses() + " classes");
        }
        OnnxExportOptions opts = OnnxExportOptions.defaults().withOpset(opset).withArgmax(argmax)
                .withMetadata(metadata(checkpoint, spec.numClasses()).toProperties());
        if (precision.equals("int8")) {
            opts = opts.withInt8(calibrate(checkpoint, sd, name));
        } else if (!precision.equals("fp32")) {
            throw new UserException("--precision is fp32 or int8, got " + precision);
        }
        if (height != null) {
            opts = opts.withSize(height, width);
        }
        OnnxExporter.write(sd, name, opts, output);
        System.out.printf(Locale.ROOT, "wrote %s (%.1f MB): %d classes, %s, opset %d, input %s%s%n", output,
                Files.size(output) / 1e6, spec.numClasses(), spec.variant().name().toLowerCase(Locale.ROOT), opset,
                height != null ? height + "x" + width : "dynamic HxW", (argmax ? ", with labels" : "") + ", " + precision);
        return 0;
    }

    /** The calibration to use: --calibration, or a new one from --calib-data (saved beside the checkpoint). */
    private dev.bisenet.export.Calibration calibrate(Path checkpoint, StateDict sd, String name) throws java.io.IOException {
        if (model.calibration != null) {
            return dev.bisenet.export.Calibration.read(model.calibration);
        }
        if (calibData == null || model.preset == null) {
            Path beside = Backends.calibrationFor(checkpoint);
            if (Files.isRegularFile(beside)) {
                System.out.println("using the calibration " + beside);
                return dev.bisenet.export.Calibration.read(beside);
            }
            throw new UserException("--precision int8 needs --calib-data DIR and --preset P (to calibrate on the train split)"
                    + " or --calibration FILE");
        }
        Preset p = model.presetOrNull();
        var train = dev.bisenet.data.Datasets.open(p, calibData, "train", false);
        Sidecar side = Sidecar.readFor(checkpoint);
        float[] mean = side != null && side.mean() != null ? side.mean() : p.mean();
        float[] std = side != null && side.std() != null ? side.std() : p.std();
        common.configureEngine();
        try (var c = dev.bisenet.export.Calibrator.create(sd, name, common.threads())) {
            long t0 = System.nanoTime();
            int n = dev.bisenet.export.ImageCalibration.add(c, train.size(), i -> train.load(i).image(), mean, std, calibImages, k -> {
                if (k % 50 == 0) System.out.println("  calibrated on " + k + " images");
            });
            var cal = c.calibration(dev.bisenet.export.RangeMethod.parse(calibMethod));
            Path out = Backends.calibrationFor(checkpoint);
            cal.write(out);
            System.out.printf(Locale.ROOT, "calibrated on %d %s train images (%s) in %.0f s; saved %s%n", n, p.cliName(),
                    calibMethod, (System.nanoTime() - t0) / 1e9, out);
            return cal;
        }
    }

    /** What the ONNX model says of itself: the sidecar's fields, or the preset's (or a guess's) description. */
    private OnnxMetadata metadata(Path checkpoint, int n) {
        Sidecar side = Sidecar.readFor(checkpoint);
        if (side != null) {
            return ModelInfo.onnxMetadataOf(side);
        }
        Preset p = model.preset != null ? model.presetOrNull() : Preset.byClassCount(n);
        if (p != null && model.preset != null) {
            ModelInfo.requireClasses(n, p.numClasses(), "--preset " + p.cliName(), "pick the preset the model was trained on");
        }
        return (p != null && p.numClasses() == n ? p.info() : ModelInfo.generic(n)).toOnnxMetadata();
    }
}
