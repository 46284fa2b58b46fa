package dev.bisenet.infer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.bisenet.export.OnnxExporter;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.spec.OnnxMetadata;
import dev.bisenet.util.UserException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Runs an exported BiSeNetV2 ({@link OnnxExporter}'s interface: {@code input} (N, 3, H, W) ->
 * {@code logits} (N, C, H, W), optionally {@code labels} (N, H, W) int32) on ONNX Runtime's CPU
 * provider. Not thread-safe: it reuses its native buffers from call to call.
 */
public final class OnnxBackend implements Backend {

    /**
     * Whether ORT's intra-op threads spin between ops: {@code false} turns it off, read when a
     * session opens ({@link ModelLoader#noSpinUnlessSet}).
     */
    static final String SPIN_PROPERTY = "bisenet.ort.spin";

    /** Session settings; {@code intraOpThreads} is how many cores one inference may use. */
    public record Options(int intraOpThreads) {
        public Options {
            if (intraOpThreads < 1) throw new IllegalArgumentException("intra-op threads must be >= 1, got " + intraOpThreads);
        }

        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors());
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String source;
    private final int classes;
    private final long fixedHeight;
    private final long fixedWidth;
    private final boolean hasLabels;
    private final OnnxMetadata metadata;

    // Reused across calls of the same shape: the tensors wrap direct buffers (no copy on the
    // way in, ORT writes the logits straight into ours), and the pages are touched only once.
    private long[] cachedShape;
    private FloatBuffer inBuf;
    private FloatBuffer outBuf;
    private IntBuffer labelBuf;
    private OnnxTensor inTensor;
    private OnnxTensor outTensor;
    private OnnxTensor labelTensor;

    private OnnxBackend(byte[] model, Path file, String source, Options options) {
        this.source = source;
        // The default environment: asking for another logging level warns once one exists.
        this.env = OrtEnvironment.getEnvironment();
        OrtSession s = null;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            if ("false".equals(System.getProperty(SPIN_PROPERTY))) {
                // Spinning worker threads burn the cores that a video pipeline's decoder and encoder need.
                so.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            s = file != null ? env.createSession(file.toString(), so) : env.createSession(model, so);
            this.session = s;
            Map<String, NodeInfo> in = s.getInputInfo();
            Map<String, NodeInfo> out = s.getOutputInfo();
            long[] inShape = tensorShape(in, OnnxExporter.INPUT, OnnxJavaType.FLOAT, 4, "(N, 3, H, W) float32");
            long[] outShape = tensorShape(out, OnnxExporter.LOGITS, OnnxJavaType.FLOAT, 4, "(N, classes, H, W) float32");
            if (in.size() != 1 || (inShape[1] != 3 && inShape[1] != -1)) {
                throw mismatch("expected one input 'input' of shape (N, 3, H, W), found " + describe(in));
            }
            if (outShape[1] < 1) {
                throw mismatch("output 'logits' must have a fixed class dimension, found " + describe(out));
            }
            this.classes = Math.toIntExact(outShape[1]);
            this.hasLabels = out.containsKey(OnnxExporter.LABELS);
            if (hasLabels) {
                tensorShape(out, OnnxExporter.LABELS, OnnxJavaType.INT32, 3, "(N, H, W) int32");
            }
            this.fixedHeight = inShape[2];
            this.fixedWidth = inShape[3];
            this.metadata = OnnxMetadata.fromProperties(s.getMetadata().getCustomMetadata(), source);
            if (metadata.classes() != null) {
                ModelInfo.requireClasses(classes, metadata.classes().size(), source + " (its bisenet.classes metadata)",
                        "re-export the model");
            }
        } catch (OrtException e) {
            closeQuietly(s);
            throw new UserException(source + ": not a readable ONNX model (" + e.getMessage().strip() + ")", e);
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** Opens an ONNX file with default options (intra-op threads = available cores). */
    public static OnnxBackend open(Path file) {
        return open(file, Options.defaults());
    }

    public static OnnxBackend open(Path file, Options options) {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": no such ONNX file");
        }
        return new OnnxBackend(null, file, file.toString(), options);
    }

    /** A backend for model bytes held in memory, {@code source} naming them in messages. */
    public static OnnxBackend fromBytes(byte[] model, String source, Options options) {
        return new OnnxBackend(model, null, source, options);
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String name() {
        return "onnx";
    }

    /** Class names, palette, normalisation and input rule stored in the model (fields may be null). */
    public OnnxMetadata metadata() {
        return metadata;
    }

    /** Whether the model also outputs per-pixel labels (an argmax export). */
    public boolean hasLabels() {
        return hasLabels;
    }

    /** The input height the model was exported for, or -1 if any multiple of 32 is accepted. */
    public long fixedHeight() {
        return fixedHeight;
    }

    /** The input width the model was exported for, or -1 if any multiple of 32 is accepted. */
    public long fixedWidth() {
        return fixedWidth;
    }

    @Override
    public float[] logits(float[] nchw, int n, int h, int w) {
        return logits(nchw, n, h, w, null);
    }

    /**
     * Like {@link #logits(float[], int, int, int)}, writing into {@code out} when it has exactly
     * n * C * h * w elements (else a new array is returned).
     */
    public float[] logits(float[] nchw, int n, int h, int w, float[] out) {
        prepare(nchw, n, h, w);
        try (OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, inTensor), Set.of(),
                Map.of(OnnxExporter.LOGITS, outTensor))) {
            int size = outBuf.capacity();
            float[] dst = out != null && out.length == size ? out : new float[size];
            outBuf.rewind();
            outBuf.get(dst);
            return dst;
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": inference failed: " + e.getMessage(), e);
        }
    }

    /** The model's own per-pixel argmax, (n, h, w) row-major; only when {@link #hasLabels()}. */
    public int[] labels(float[] nchw, int n, int h, int w) {
        if (!hasLabels) {
            throw new UserException(source + " has no 'labels' output; export it with argmax on");
        }
        prepare(nchw, n, h, w);
        try (OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, inTensor), Set.of(),
                Map.of(OnnxExporter.LABELS, labelTensor))) {
            int[] dst = new int[labelBuf.capacity()];
            labelBuf.rewind();
            labelBuf.get(dst);
            return dst;
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": inference failed: " + e.getMessage(), e);
        }
    }

    private void prepare(float[] nchw, int n, int h, int w) {
        if (n < 1 || h < 32 || w < 32 || h % 32 != 0 || w % 32 != 0) {
            throw new IllegalArgumentException("input size " + n + "x3x" + h + "x" + w
                    + ": n must be positive, h and w positive multiples of 32");
        }
        if ((fixedHeight > 0 && h != fixedHeight) || (fixedWidth > 0 && w != fixedWidth)) {
            throw new UserException(source + " was exported for " + fixedHeight + "x" + fixedWidth + " inputs, got "
                    + h + "x" + w + "; resize the image or export with a dynamic size");
        }
        long in = 3L * n * h * w;
        if (nchw.length != in) {
            throw new IllegalArgumentException("input has " + nchw.length + " floats, (" + n + ", 3, " + h + ", " + w
                    + ") needs " + in);
        }
        long[] shape = {n, 3, h, w};
        try {
            if (!Arrays.equals(shape, cachedShape)) {
                releaseTensors();
                inBuf = directFloats(in);
                outBuf = directFloats((long) n * classes * h * w);
                inTensor = OnnxTensor.createTensor(env, inBuf, shape);
                outTensor = OnnxTensor.createTensor(env, outBuf, new long[] {n, classes, h, w});
                if (hasLabels) {
                    labelBuf = ByteBuffer.allocateDirect(Math.toIntExact(4L * n * h * w)).order(ByteOrder.nativeOrder()).asIntBuffer();
                    labelTensor = OnnxTensor.createTensor(env, labelBuf, new long[] {n, h, w});
                }
                cachedShape = shape;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": cannot create tensors: " + e.getMessage(), e);
        }
        inBuf.rewind();
        inBuf.put(nchw);
        inBuf.rewind();
    }

    private static FloatBuffer directFloats(long count) {
        return ByteBuffer.allocateDirect(Math.toIntExact(Math.multiplyExact(count, 4L))).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private long[] tensorShape(Map<String, NodeInfo> infos, String name, OnnxJavaType type, int rank, String expected) {
        NodeInfo node = infos.get(name);
        ValueInfo v = node == null ? null : node.getInfo();
        if (!(v instanceof TensorInfo t) || t.type != type || t.getShape().length != rank) {
            throw mismatch("expected '" + name + "' " + expected + ", found " + describe(infos));
        }
        return t.getShape();
    }

    private static String describe(Map<String, NodeInfo> infos) {
        StringBuilder s = new StringBuilder();
        for (NodeInfo n : infos.values()) {
            if (s.length() > 0) s.append(", ");
            s.append('\'').append(n.getName()).append("' ");
            if (n.getInfo() instanceof TensorInfo t) {
                s.append(t.type).append(' ').append(Arrays.toString(t.getShape()).replace("-1", "?"));
            } else {
                s.append(n.getInfo());
            }
        }
        return s.length() == 0 ? "nothing" : s.toString();
    }

    private UserException mismatch(String what) {
        return new UserException(source + ": not a BiSeNet ONNX model of this project's interface: " + what);
    }

    private void releaseTensors() {
        for (OnnxTensor t : new OnnxTensor[] {inTensor, outTensor, labelTensor}) {
            if (t != null) t.close();
        }
        inTensor = outTensor = labelTensor = null;
        cachedShape = null;
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // already failing with a better message
            }
        }
    }

    @Override
    public void close() {
        releaseTensors();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": cannot close the ONNX session", e);
        }
    }
}
