package dev.bisenet.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.data.Datasets;
import dev.bisenet.data.Preset;
import dev.bisenet.data.SegDataset;
import dev.bisenet.export.ImageCalibration;
import dev.bisenet.eval.DatasetSamples;
import dev.bisenet.eval.EvalOptions;
import dev.bisenet.eval.Evaluator;
import dev.bisenet.eval.Mode;
import dev.bisenet.infer.Backend;
import dev.bisenet.infer.OnnxBackend;
import dev.bisenet.image.Padding;
import dev.bisenet.image.Preprocess;
import dev.bisenet.image.Rgb;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Measures the int8 export against float32 on a trained CamVid checkpoint: calibration, latency
 * (ONNX Runtime, batch 1, all variants in one JVM), CamVid val mIoU with the
 * {@link Evaluator}, label agreement and ONNX Runtime profiles. Not a test: run
 * {@code java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.bisenet.export.Int8Bench
 * CHECKPOINT CAMVID_ROOT OUT_DIR [calibration images] [phases: calib,latency,miou,profile]}.
 */
public final class Int8Bench {

    private static final int THREADS = 2;

    /** One exported model with the session settings it needs. */
    record Variant(String name, byte[] onnx, Map<String, String> config) {}

    public static void main(String[] args) throws Exception {
        Path ckpt = Path.of(args[0]);
        Path data = Path.of(args[1]);
        Path out = Path.of(args[2]);
        int calibImages = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        Set<String> phases = Set.of((args.length > 4 ? args[4] : "calib,latency,miou,profile").split(","));
        Files.createDirectories(out);
        StateDict sd = PthReader.readStateDict(ckpt);
        String name = ckpt.getFileName().toString();
        System.out.println("checkpoint " + ckpt + ", " + Runtime.getRuntime().availableProcessors() + " cores, ORT threads " + THREADS);

        Map<String, Calibration> cals = calibrations(sd, name, data, out, calibImages);
        Calibration main = cals.get("percentile:99.999");
        Map<String, Variant> variants = new LinkedHashMap<>();
        OnnxExportOptions base = OnnxExportOptions.defaults().withArgmax(true);
        add(variants, "fp32", OnnxExporter.export(sd, name, base), Map.of());
        // The levers are measured one at a time from "all convs": every conv in int8, only the
        // logits' upsampling in float32.
        Int8Options all = Int8Options.of(main).withKeepFloat(EnumSet.of(Int8Options.Part.OUTPUT));
        add(variants, "int8 recommended", export(sd, name, Int8Options.of(main)), Map.of());
        add(variants, "int8 all convs", export(sd, name, all), Map.of());
        add(variants, "int8 everything (output too)", export(sd, name, all.withKeepFloat(EnumSet.noneOf(Int8Options.Part.class))), Map.of());
        add(variants, "all convs, classifier fp32", export(sd, name, keep(all, Int8Options.Part.CLASSIFIER)), Map.of());
        add(variants, "all convs, head+classifier fp32", export(sd, name, keep(all, Int8Options.Part.HEAD, Int8Options.Part.CLASSIFIER)), Map.of());
        add(variants, "all convs, gates fp32", export(sd, name, keep(all, Int8Options.Part.GATES)), Map.of());
        add(variants, "all convs, depthwise fp32", export(sd, name, keep(all, Int8Options.Part.DEPTHWISE)), Map.of());
        add(variants, "all convs, per-tensor weights", export(sd, name, all.withPerChannelWeights(false)), Map.of());
        add(variants, "all convs, S8S8", export(sd, name, all.withActivations(Int8Options.Activations.INT8)), Map.of());
        for (Variant v : variants.values()) Files.write(out.resolve(v.name().replace(' ', '_').replaceAll("[()]", "") + ".onnx"), v.onnx());

        if (phases.contains("latency")) {
            latency(variants, 512, 1024, 5, 20);
            latency(variants, 384, 480, 5, 20);
        }
        if (phases.contains("miou")) {
            SegDataset val = Datasets.open(Preset.CAMVID, data, "val", false);
            Map<String, Variant> evals = new LinkedHashMap<>(variants);
            for (Map.Entry<String, Calibration> c : cals.entrySet()) {
                if (c.getValue() != main) add(evals, "int8 recommended, " + c.getKey(), export(sd, name, Int8Options.of(c.getValue())), Map.of());
            }
            for (Variant v : evals.values()) miou(v, val);
        }
        if (phases.contains("agree")) {
            SegDataset val = Datasets.open(Preset.CAMVID, data, "val", false);
            for (Variant v : variants.values()) {
                if (!v.name().equals("fp32") && v.config().isEmpty()) agreement(variants.get("fp32"), v, val, val.size());
            }
        }
        if (phases.contains("latency2")) {
            Map<String, Variant> some = new LinkedHashMap<>();
            for (String v : List.of("fp32", "int8 recommended", "int8 all convs")) {
                some.put(v, variants.get(v));
            }
            for (int round = 0; round < 3; round++) { // repeated: other jobs on the machine come and go
                latency(some, 512, 1024, 5, 20);
                latency(some, 384, 480, 5, 20);
            }
        }
        if (phases.contains("profile")) {
            // -Dprofile=NAME,NAME picks the variants (default: fp32 and int8 recommended)
            for (String v : System.getProperty("profile", "fp32,int8 recommended").split(",")) {
                profile(variants.get(v), 512, 1024, out);
                profile(variants.get(v), 384, 480, out);
            }
        }
    }

    private static byte[] export(StateDict sd, String name, Int8Options q) {
        return OnnxExporter.export(sd, name, OnnxExportOptions.defaults().withArgmax(true).withInt8(q));
    }

    private static Int8Options keep(Int8Options q, Int8Options.Part... parts) {
        EnumSet<Int8Options.Part> k = EnumSet.copyOf(q.keepFloat());
        k.addAll(java.util.Arrays.asList(parts));
        return q.withKeepFloat(k);
    }

    private static void add(Map<String, Variant> m, String name, byte[] onnx, Map<String, String> config) {
        m.put(name, new Variant(name, onnx, config));
    }

    /** Calibrations by method, from files in {@code out} when present, else from one calibration pass. */
    private static Map<String, Calibration> calibrations(StateDict sd, String name, Path data, Path out, int n) throws Exception {
        List<RangeMethod> methods = List.of(RangeMethod.percentile(99.999), RangeMethod.minMax(), RangeMethod.percentile(99.99),
                RangeMethod.mse());
        Map<String, Calibration> cals = new LinkedHashMap<>();
        boolean all = true;
        for (RangeMethod m : methods) {
            Path f = out.resolve("calibration-" + m.toString().replace(':', '-') + ".json");
            if (Files.exists(f)) cals.put(m.toString(), Calibration.read(f));
            else all = false;
        }
        if (all) {
            System.out.println("calibrations read from " + out);
            return cals;
        }
        SegDataset train = Datasets.open(Preset.CAMVID, data, "train", false);
        long t0 = System.nanoTime();
        try (Calibrator c = Calibrator.create(sd, name, THREADS)) {
            ImageCalibration.add(c, train.size(), i -> train.load(i).image(), Preset.CAMVID.mean(), Preset.CAMVID.std(), n, k -> {
                if (k % 50 == 0) System.out.println("  calibrated " + k + " images");
            });
            System.out.printf(Locale.ROOT, "calibration: %d CamVid train images (evenly spaced, full size padded to 384x480),"
                    + " %d tensors, %.1f s%n", c.images(), c.tensors().size(), (System.nanoTime() - t0) / 1e9);
            for (RangeMethod m : methods) {
                Calibration cal = c.calibration(m);
                cal.write(out.resolve("calibration-" + m.toString().replace(':', '-') + ".json"));
                cals.put(m.toString(), cal);
            }
        }
        return cals;
    }

    private static OrtSession session(Variant v) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setIntraOpNumThreads(THREADS);
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            for (Map.Entry<String, String> e : v.config().entrySet()) so.addConfigEntry(e.getKey(), e.getValue());
            return OrtEnvironment.getEnvironment().createSession(v.onnx(), so);
        }
    }

    /** Min and median per variant and output, all sessions open in this JVM, outputs into reused buffers. */
    private static void latency(Map<String, Variant> variants, int h, int w, int warmup, int runs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[3 * h * w];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        List<String> names = new ArrayList<>();
        List<OrtSession> sessions = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (Variant v : variants.values()) {
            OrtSession s = session(v);
            names.add(v.name() + " / logits");
            sessions.add(s);
            outputs.add(OnnxExporter.LOGITS);
            if (v.name().equals("fp32") || v.name().startsWith("int8 ")) {
                names.add(v.name() + " / labels");
                sessions.add(s);
                outputs.add(OnnxExporter.LABELS);
            }
        }
        double[][] ms = new double[names.size()][runs];
        // Outputs go into tensors allocated once, as OnnxBackend does: no per-call allocation.
        int classes = Preset.CAMVID.numClasses();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, h, w});
                OnnxTensor logits = OnnxTensor.createTensor(env, java.nio.ByteBuffer.allocateDirect(4 * classes * h * w)
                        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer(), new long[] {1, classes, h, w});
                OnnxTensor labels = OnnxTensor.createTensor(env, java.nio.ByteBuffer.allocateDirect(4 * h * w)
                        .order(java.nio.ByteOrder.nativeOrder()).asIntBuffer(), new long[] {1, h, w})) {
            // One block per model, not interleaved run by run: each session has its own intra-op
            // pool whose threads spin for a while after a run, and on 2 cores the spinning of the
            // previous model's pool slows the next model's first run down by 20-30 ms.
            for (int k = 0; k < names.size(); k++) {
                String o = outputs.get(k);
                for (int i = 0; i < warmup + runs; i++) {
                    long t0 = System.nanoTime();
                    sessions.get(k).run(Map.of(OnnxExporter.INPUT, in), Set.of(),
                            Map.of(o, o.equals(OnnxExporter.LOGITS) ? logits : labels)).close();
                    if (i >= warmup) ms[k][i - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        System.out.printf(Locale.ROOT, "latency at %dx%d (HxW), batch 1, %d threads, %d warm-up + %d timed runs per model:%n",
                h, w, THREADS, warmup, runs);
        double ref = 0;
        for (int k = 0; k < names.size(); k++) {
            double[] t = ms[k].clone();
            Arrays.sort(t);
            double median = runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
            if (k == 0) ref = median;
            System.out.printf(Locale.ROOT, "  %-36s min %7.1f ms  median %7.1f ms  (%.2fx fp32 logits)%n", names.get(k), t[0], median,
                    ref / median);
        }
        for (OrtSession s : new java.util.LinkedHashSet<>(sessions)) s.close();
    }

    private static void miou(Variant v, SegDataset val) throws OrtException {
        long t0 = System.nanoTime();
        try (Backend b = v.config().isEmpty() ? OnnxBackend.fromBytes(v.onnx(), v.name(), new OnnxBackend.Options(THREADS))
                : new SessionBackend(session(v), Preset.CAMVID.numClasses());
                DatasetSamples samples = new DatasetSamples(val, Preset.CAMVID.mean(), Preset.CAMVID.std())) {
            Evaluator.Result r = Evaluator.evaluate(samples, b, EvalOptions.of(Mode.SS, Preset.IGNORE), Evaluator.ProgressListener.NONE);
            System.out.printf(Locale.ROOT, "  mIoU %-40s %6.2f%%  (%d val images, single scale, %.0f s)%n", v.name(),
                    100 * r.metrics().meanIoU(), r.numImages(), (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Share of pixels whose int8 label equals the float32 label, over the first {@code n} val images. */
    private static void agreement(Variant fp32, Variant int8, SegDataset val, int n) {
        long same = 0, total = 0;
        try (OnnxBackend f = OnnxBackend.fromBytes(fp32.onnx(), "fp32", new OnnxBackend.Options(THREADS));
                OnnxBackend q = OnnxBackend.fromBytes(int8.onnx(), "int8", new OnnxBackend.Options(THREADS))) {
            for (int i = 0; i < n; i++) {
                Rgb img = val.load(i).image();
                int h = Padding.ceil32(img.height()), w = Padding.ceil32(img.width());
                float[] x = new float[3 * h * w];
                Preprocess.normalise(img.pixels(), img.height(), img.width(), Preset.CAMVID.mean(), Preset.CAMVID.std(), x, 0, h, w);
                int[] a = f.labels(x, 1, h, w);
                int[] b = q.labels(x, 1, h, w);
                for (int y = 0; y < img.height(); y++) {
                    for (int xx = 0; xx < img.width(); xx++) {
                        if (a[y * w + xx] == b[y * w + xx]) same++;
                        total++;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "labels of %s equal fp32 on %.2f%% of the pixels of %d val images%n", int8.name(),
                100.0 * same / total, n);
    }

    private static void profile(Variant v, int h, int w, Path out) throws Exception {
        float[] x = new float[3 * h * w];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        OrtProfile.Summary s = OrtProfile.run(v.onnx(), x, h, w, THREADS, 5, out, v.config());
        System.out.printf(Locale.ROOT, "profile of %s at %dx%d, kernel time per run %.1f ms:%n%s", v.name(), h, w,
                s.totalMicros() / 1000, s.table());
    }

    /** A Backend over a session made with extra settings (OnnxBackend takes none). */
    static final class SessionBackend implements Backend {
        private final OrtSession session;
        private final int classes;

        SessionBackend(OrtSession session, int classes) {
            this.session = session;
            this.classes = classes;
        }

        @Override
        public int numClasses() {
            return classes;
        }

        @Override
        public float[] logits(float[] nchw, int n, int h, int w) {
            try (OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(nchw), new long[] {n, 3, h, w});
                    OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, in), Set.of(OnnxExporter.LOGITS))) {
                FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                return a;
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int[] labels(float[] nchw, int n, int h, int w) {
            throw new UnsupportedOperationException("logits only");
        }

        @Override
        public String name() {
            return "onnx-session";
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
