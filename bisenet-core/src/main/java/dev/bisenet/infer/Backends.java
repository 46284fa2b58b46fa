package dev.bisenet.infer;

import dev.bisenet.util.FileNames;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.export.Calibration;
import dev.bisenet.export.OnnxExportOptions;
import dev.bisenet.export.OnnxExporter;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.util.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Opens a model file on an engine: {@code .pth} on ONNX Runtime (exported in memory) or on a
 * {@link BackendProvider} such as {@code pytorch}; {@code .onnx} on ONNX Runtime.
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
     * The calibration file of a checkpoint for int8: {@code model.pth} -> {@code model.int8.json}.
     */
    public static Path calibrationFor(Path checkpoint) {
        return checkpoint.resolveSibling(FileNames.stem(checkpoint.getFileName().toString()) + ".int8.json");
    }

    /** Opens {@code file} on {@code kind} in float32. */
    public static Backend open(Path file, Kind kind, int threads) {
        return open(file, kind, threads, null);
    }

    /**
     * Opens {@code file}. The ONNX model of a {@code .pth} carries the argmax output, so
     * {@link Backend#labels} runs in the graph, and the sidecar's metadata; with a calibration it
     * runs as an int8 model (QDQ with per-channel weights; see {@link dev.bisenet.export.Int8Options}).
     */
    public static Backend open(Path file, Kind kind, int threads, Calibration int8) {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": no such model file");
        }
        String name = file.getFileName().toString();
        if (isOnnx(file)) {
            if (kind == Kind.PYTORCH) {
                throw new UserException(file + " is an ONNX model: it runs with --backend onnx, not pytorch");
            }
            return OnnxBackend.open(file, new OnnxBackend.Options(threads));
        }
        if (kind == Kind.PYTORCH && int8 != null) {
            throw new UserException("int8 runs on the onnx backend: use --backend onnx with --precision int8");
        }
        StateDict sd = PthReader.readStateDict(file);
        if (kind == Kind.PYTORCH) {
            return provider(kind).open(sd.withoutModulePrefix(), name, threads);
        }
        OnnxExportOptions opts = OnnxExportOptions.defaults().withArgmax(true);
        if (int8 != null) {
            opts = opts.withInt8(int8);
        }
        Sidecar side = Sidecar.readFor(file);
        if (side != null) {
            opts = opts.withMetadata(ModelInfo.onnxMetadataOf(side).toProperties());
        }
        byte[] onnx = OnnxExporter.export(sd, name, opts);
        return OnnxBackend.fromBytes(onnx, name, new OnnxBackend.Options(threads));
    }

    /**
     * A randomly initialised network on {@code kind}, for trying the tool without weights. The
     * initialisation is the paper's, which needs a provider (bisenet-torch) even for ONNX Runtime.
     */
    public static Backend random(ModelSpec spec, Kind kind, int threads, long seed) {
        BackendProvider p = provider(Kind.PYTORCH);
        StateDict sd = p.randomWeights(spec.withBoosters(false), seed);
        if (kind == Kind.PYTORCH) {
            return p.open(sd, "random weights", threads);
        }
        byte[] onnx = OnnxExporter.export(sd, "random weights", OnnxExportOptions.defaults().withArgmax(true));
        return OnnxBackend.fromBytes(onnx, "random weights", new OnnxBackend.Options(threads));
    }

    /** The provider of {@code kind} on the classpath, or a message saying which jar to add. */
    static BackendProvider provider(Kind kind) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(kind.cliName())) {
                return p;
            }
        }
        throw new UserException("the " + kind.cliName() + " backend needs dev.bisenet:bisenet-torch (libtorch) on the"
                + " classpath; add it, or use --backend onnx");
    }
}
