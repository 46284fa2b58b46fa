package dev.bisenet.infer;

import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.Sidecar;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.export.OnnxExportOptions;
import dev.bisenet.export.OnnxExporter;
import dev.bisenet.export.OnnxMetadata;
import dev.bisenet.util.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens a model file on an engine: {@code .pth} on PyTorch (DJL) or, exported in memory, on
 * ONNX Runtime; {@code .onnx} on ONNX Runtime.
 */
public final class Backends {

    /** The engines. */
    public enum Kind {
        PYTORCH, ONNX;

        public static Kind parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserException("unknown backend '" + s + "'; choose pytorch or onnx");
            }
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Backends() {}

    public static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Opens {@code file} on {@code kind}. The ONNX model of a {@code .pth} carries the argmax
     * output, so {@link Backend#labels} runs in the graph, and the sidecar's metadata.
     */
    public static Backend open(Path file, Kind kind, int threads) {
        return open(file, kind, threads, null);
    }

    /**
     * The calibration file of a checkpoint for int8: {@code model.pth} -> {@code model.int8.json}.
     */
    public static Path calibrationFor(Path checkpoint) {
        String n = checkpoint.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return checkpoint.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + ".int8.json");
    }

    /**
     * Opens {@code file}; with a calibration, a {@code .pth} runs as an int8 ONNX model
     * (exported in memory, QDQ with per-channel weights; see {@link dev.bisenet.export.Int8Options}).
     */
    public static Backend open(Path file, Kind kind, int threads, dev.bisenet.export.Calibration int8) {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": no such model file");
        }
        if (isOnnx(file)) {
            if (kind == Kind.PYTORCH) {
                throw new UserException(file + " is an ONNX model: it runs with --backend onnx, not pytorch");
            }
            return OnnxBackend.open(file, new OnnxBackend.Options(threads));
        }
        if (kind == Kind.PYTORCH) {
            if (int8 != null) {
                throw new UserException("int8 runs on the onnx backend: use --backend onnx with --precision int8");
            }
            return Segmenter.loadPyTorch(file);
        }
        StateDict sd = PthReader.readStateDict(file);
        OnnxExportOptions opts = OnnxExportOptions.defaults().withArgmax(true);
        if (int8 != null) {
            opts = opts.withInt8(int8);
        }
        Sidecar side = Sidecar.readFor(file);
        if (side != null) {
            opts = opts.withMetadata(metadataOf(side).toProperties());
        }
        byte[] onnx = OnnxExporter.export(sd, file.getFileName().toString(), opts);
        return OnnxBackend.fromBytes(onnx, file.getFileName().toString(), new OnnxBackend.Options(threads));
    }

    /** The same network on ONNX Runtime (exported in memory); closes {@code djl}. */
    public static OnnxBackend onnxOf(DjlBackend djl, int threads) {
        try (djl) {
            StateDict sd = dev.bisenet.model.Weights.toStateDict(djl.network(), 0);
            byte[] onnx = OnnxExporter.export(sd, "random weights", OnnxExportOptions.defaults().withArgmax(true));
            return OnnxBackend.fromBytes(onnx, "random weights", new OnnxBackend.Options(threads));
        }
    }

    /** A sidecar's class names, palette and normalisation as ONNX metadata. */
    public static OnnxMetadata metadataOf(Sidecar side) {
        int[][] palette = side.palette() == null ? null : side.palette().toArray(new int[0][]);
        return new OnnxMetadata(side.classes(), palette, side.mean(), side.std(), "pad");
    }

    /** Class names, palette and normalisation from ONNX metadata, or null when it has none. */
    public static ModelInfo infoOf(OnnxMetadata m, int numClasses) {
        if (m == null || m.classes() == null) {
            return null;
        }
        ModelInfo generic = ModelInfo.generic(numClasses);
        int[] palette = m.palette() != null ? ModelInfo.packPalette(java.util.Arrays.asList(m.palette())) : generic.palette();
        if (m.classes().size() != numClasses || palette.length != numClasses) {
            return null;
        }
        return new ModelInfo(m.classes(), palette,
                m.mean() != null ? m.mean() : ModelInfo.IMAGENET_MEAN, m.std() != null ? m.std() : ModelInfo.IMAGENET_STD);
    }
}
