package dev.bisenet.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.bisenet.checkpoint.StateDict;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures the activation ranges an int8 export needs: runs a checkpoint's float32 network
 * (ONNX Runtime, with every quantizable activation as an extra output) over sample images and
 * keeps a histogram of each activation, from which {@link #calibration} picks ranges.
 *
 * <p>Usage: {@code try (Calibrator c = Calibrator.create(sd, name, 2)) { for (...) c.add(image,
 * h, w); Calibration cal = c.calibration(RangeMethod.percentile(99.999)); }}. The result depends
 * only on the images (and their order not at all): feed a fixed list for a reproducible export,
 * such as {@link CalibrationImages#fromDataset}. Not thread-safe.
 */
public final class Calibrator implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String source;
    private final String fingerprint;
    private final Map<String, ActivationHistogram> histograms = new LinkedHashMap<>();
    private int images;

    private Calibrator(OnnxExporter.CalibrationModel model, String source, int threads) throws OrtException {
        this.source = source;
        this.fingerprint = model.fingerprint();
        for (String t : model.tensors()) histograms.put(t, new ActivationHistogram());
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            this.session = env.createSession(model.onnx(), so);
        }
    }

    /**
     * A calibrator for {@code sd} (reference layout, as {@link OnnxExporter#export} takes).
     *
     * @param source the checkpoint's name, stored in the calibration and used in messages
     * @param threads intra-op threads of the float32 runs
     */
    public static Calibrator create(StateDict sd, String source, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        OnnxExporter.CalibrationModel model = OnnxExporter.calibrationModel(sd, source);
        try {
            return new Calibrator(model, source, threads);
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": ONNX Runtime refused the calibration model: " + e.getMessage(), e);
        }
    }

    /** The tensors observed, in graph order. */
    public List<String> tensors() {
        return List.copyOf(histograms.keySet());
    }

    /** How many images were added. */
    public int images() {
        return images;
    }

    /**
     * Observes one normalised image, shape (3, h, w); h and w must be multiples of 32 (pad with
     * zeros as inference does).
     */
    public void add(float[] chw, int h, int w) {
        if (h < 32 || w < 32 || h % 32 != 0 || w % 32 != 0 || chw.length != 3 * h * w) {
            throw new IllegalArgumentException("a calibration image must be (3, h, w) with h and w positive multiples of 32, got "
                    + chw.length + " values for " + h + "x" + w);
        }
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), new long[] {1, 3, h, w});
                OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, in))) {
            for (Map.Entry<String, ActivationHistogram> e : histograms.entrySet()) {
                if (e.getKey().equals(OnnxExporter.INPUT)) {
                    e.getValue().add(chw);
                    continue;
                }
                Optional<OnnxValue> v = r.get(e.getKey());
                if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
                    throw new IllegalStateException("calibration model lacks output " + e.getKey());
                }
                e.getValue().add(t.getFloatBuffer());
            }
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": calibration run failed: " + e.getMessage(), e);
        }
        images++;
    }

    /**
     * The ranges {@code method} picks from everything observed so far.
     *
     * @throws IllegalStateException when no image was added or an activation was not finite
     */
    public Calibration calibration(RangeMethod method) {
        if (images == 0) throw new IllegalStateException("no calibration image was added");
        Map<String, Calibration.Range> ranges = new LinkedHashMap<>();
        for (Map.Entry<String, ActivationHistogram> e : histograms.entrySet()) {
            ActivationHistogram hist = e.getValue();
            if (hist.nonFinite() > 0) {
                throw new IllegalStateException(source + ": activation " + e.getKey() + " had " + hist.nonFinite()
                        + " non-finite values on the calibration images; the weights or inputs are broken");
            }
            ranges.put(e.getKey(), hist.range(method));
        }
        return new Calibration(source, fingerprint, method.toString(), images, ranges);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": cannot close the calibration session", e);
        }
    }
}
