package dev.bisenet.infer;

import dev.bisenet.data.Preset;
import dev.bisenet.export.Calibration;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.util.UserException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a model and describes it, the one way every command and the Java API do it: picks the
 * engine, finds the int8 calibration, reads the sidecar (once) or the ONNX metadata, or builds
 * a random network, then settles class names, palette and normalisation (flags, then the
 * model's own description, then the preset, then a guess from the class count).
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** What to open; every field has a default, callers override what they were given. */
    public static final class Options {
        Path checkpoint;
        Preset preset;
        Integer classes;
        float[] mean;
        float[] std;
        Backends.Kind backend = Backends.Kind.ONNX;
        Precision precision = Precision.FP32;
        Path calibration;
        Integer headWidth;
        int threads;
        long seed;

        /** A {@code .pth} or {@code .onnx} file; null builds a randomly initialised network. */
        public Options checkpoint(Path p) { checkpoint = p; return this; }
        /** Class names, palette and normalisation when the model has no description of its own. */
        public Options preset(Preset p) { preset = p; return this; }
        /** The class count expected: a check against the model, or the count of a random one. */
        public Options classes(Integer n) { classes = n; return this; }
        /** Normalisation overriding the model's (RGB/255 scale; both or neither). */
        public Options normalisation(float[] m, float[] s) { mean = m; std = s; return this; }
        public Options backend(Backends.Kind k) { backend = k; return this; }
        public Options precision(Precision p) { precision = p; return this; }
        /** The int8 calibration; default {@code NAME.int8.json} beside the checkpoint. */
        public Options calibration(Path p) { calibration = p; return this; }
        /** Width of the head's 3x3 conv for a random network (default: the reference's 1024). */
        public Options headWidth(Integer w) { headWidth = w; return this; }
        /** Engine threads; 0 = all cores. */
        public Options threads(int n) { threads = n; return this; }

        // What was set, for callers that ship a model elsewhere (a Spark job to its executors).
        public Path checkpoint() { return checkpoint; }
        public Preset preset() { return preset; }
        public Integer classes() { return classes; }
        public float[] mean() { return mean; }
        public float[] std() { return std; }
        public Backends.Kind backend() { return backend; }
        public Precision precision() { return precision; }
        public Path calibration() { return calibration; }
        public Integer headWidth() { return headWidth; }
        public int threads() { return threads; }
    }

    /** A model ready to run, what its classes are, and the file it came from (null: random). */
    public record Loaded(Backend backend, ModelInfo info, Path file) {
        public Segmenter segmenter() {
            return new Segmenter(backend, info);
        }
    }

    /**
     * Opens the model {@code o} describes.
     *
     * @param log where notes and warnings go (what was assumed, a random model); null for none
     */
    /**
     * Turns ONNX Runtime's spinning between operators off for sessions opened from now on, unless
     * {@code -Dbisenet.ort.spin} says otherwise. For callers whose own threads decode and encode
     * while the network runs (predict over a folder, Spark tasks, the server): spinning threads
     * keep the cores from them.
     */
    public static void noSpinUnlessSet() {
        if (System.getProperty(OnnxBackend.SPIN_PROPERTY) == null) {
            System.setProperty(OnnxBackend.SPIN_PROPERTY, "false");
        }
    }

    public static Loaded open(Options o, PrintStream log) {
        PrintStream out = log != null ? log : new PrintStream(PrintStream.nullOutputStream());
        if (o.mean != null ^ o.std != null) {
            throw new UserException("--mean and --std go together: give both or neither");
        }
        if ((o.mean != null && o.mean.length != 3) || (o.std != null && o.std.length != 3)) {
            throw new UserException("--mean and --std take three numbers each, r,g,b (fractions of 255)");
        }
        int threads = o.threads > 0 ? o.threads : Runtime.getRuntime().availableProcessors();
        Path file = o.checkpoint;
        Backend net;
        ModelInfo own = null;
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new UserException(file + ": no such checkpoint file");
            }
            boolean onnx = Backends.isOnnx(file);
            Backends.Kind kind = onnx ? Backends.Kind.ONNX : o.backend;
            Calibration cal = null;
            if (o.precision == Precision.INT8 && !onnx) {
                Path c = o.calibration != null ? o.calibration : Backends.calibrationFor(file);
                if (!Files.isRegularFile(c)) {
                    throw new UserException("--precision int8 needs a calibration: " + c + " does not exist; make one with"
                            + " ./bisenet export --checkpoint " + file + " --precision int8 --calib-data DATASET_DIR --preset P");
                }
                cal = Calibration.read(c);
                kind = Backends.Kind.ONNX;
            }
            net = Backends.open(file, kind, threads, cal);
            try {
                if (onnx) {
                    own = net instanceof OnnxBackend ob ? ModelInfo.fromOnnxMetadata(ob.metadata(), net.numClasses(), file.toString()) : null;
                } else {
                    Sidecar side = Sidecar.readFor(file);
                    own = side == null ? null : ModelInfo.fromSidecar(side, net.numClasses(), "the sidecar " + Sidecar.pathFor(file));
                }
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
            out.println("model: " + file + " (" + net.numClasses() + " classes, " + net.name() + " backend)");
        } else {
            int n = o.classes != null ? o.classes : o.preset != null ? o.preset.numClasses() : 0;
            if (n <= 0) {
                throw new UserException("no --checkpoint: give --preset or --classes to build a randomly initialised model");
            }
            ModelSpec spec = ModelSpec.reference(n, false);
            if (o.headWidth != null) {
                spec = new ModelSpec(n, spec.variant(), o.headWidth, false);
            }
            net = Backends.random(spec, o.backend, threads, o.seed);
            out.println("warning: no checkpoint given" + (o.preset == Preset.CAMVID ? " and no shipped CamVid model found" : "")
                    + ": the model is RANDOMLY INITIALISED and its output is meaningless");
        }
        try {
            if (o.classes != null && o.classes != net.numClasses()) { // an expectation the user wrote, not a class list
                throw new UserException("--classes " + o.classes + " conflicts with the checkpoint, which has "
                        + net.numClasses() + " classes (the count is read from head.conv_out.1.weight)");
            }
            return new Loaded(net, describe(net.numClasses(), own, o, out), file);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** Class names, palette and normalisation: flags, then the model's own, then preset, then a guess. */
    private static ModelInfo describe(int numClasses, ModelInfo own, Options o, PrintStream log) {
        Preset p = o.preset;
        if (p != null) {
            ModelInfo.requireClasses(numClasses, p.numClasses(), "--preset " + p.cliName(), "pick the preset the model was trained on");
        }
        ModelInfo info;
        if (own != null) {
            info = own; // the model's own sidecar or ONNX metadata: what it was trained with
        } else if (p != null) {
            info = p.info();
        } else {
            Preset guess = Preset.byClassCount(numClasses);
            if (guess != null) {
                log.println("note: no sidecar and no --preset; assuming " + guess.cliName() + " from the class count ("
                        + numClasses + "); pass --preset to choose");
                info = guess.info();
            } else {
                log.println("note: no sidecar and no --preset: generic class names, ImageNet normalisation");
                info = ModelInfo.generic(numClasses);
            }
        }
        return o.mean != null ? info.withNormalisation(o.mean, o.std) : info;
    }
}
