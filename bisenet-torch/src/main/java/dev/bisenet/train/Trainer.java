package dev.bisenet.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.IndexLoss;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SimpleCompositeLoss;
import ai.djl.util.PairList;
import dev.bisenet.model.PhaseLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.torch.DjlBackend;
import dev.bisenet.torch.Engines;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.torch.Staging;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.Init;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.model.OutputMode;
import dev.bisenet.model.WeightNames;
import dev.bisenet.model.Weights;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training loop of the booster recipe: forward with the four booster heads, OHEM cross
 * entropy on all five outputs (weight 1 each), backward, SGD step on the warmup + poly schedule;
 * with logging, validation, and checkpoints that a crashed run resumes from.
 */
public final class Trainer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Names of the five outputs, in the order the network returns them. */
    static final List<String> HEADS = List.of("main", "aux2", "aux3", "aux4", "aux5_4");
    /** The heads return their logits in phase layout, which the loss reads as they are (see PhaseLayout). */
    static final PairList<String, Object> PHASE_LAYOUT = new PairList<>(List.of(PhaseLayout.PARAM), List.<Object>of(true));

    private final TrainConfig cfg;
    private final ModelInfo info;
    private final String presetName;
    private final RunFolder run;
    private final Model model;
    private final BiSeNetV2 net;
    private final Sgd sgd;
    private final LrSchedule schedule;
    private final SimpleCompositeLoss loss;
    private final Staging images = new Staging();
    private final Staging labels = new Staging();
    private int start;
    private double bestMiou = Double.NaN;
    /** Set from another thread (a signal's shutdown hook): stop after the step in progress. */
    private volatile boolean stopRequested;

    /**
     * What a run ended with. {@code iterations} is the run's position at the end; {@code stopped}
     * when {@link #requestStop()} ended it early, with a checkpoint there and no final model.
     */
    public record Summary(int iterations, double lastLoss, double bestMiou, Path finalModel, double seconds,
            boolean stopped) {}

    /**
     * Builds the model and its starting point: the newest checkpoint of the run folder when
     * {@code resume}, else {@code cfg.init()} (partially, reporting what did not fit), else the
     * paper's initialisation.
     */
    public Trainer(TrainConfig cfg, ModelInfo info, RunFolder run, RunFolder.Resume resume, PrintStream log) {
        this.cfg = cfg;
        this.info = info;
        this.presetName = cfg.preset();
        this.run = run;
        ModelSpec spec = new ModelSpec(info.numClasses(), cfg.variant(), cfg.modelHeadWidth(), true);
        model = BiSeNetV2.newModel(spec, OutputMode.TRAIN);
        Engines.applyLogLevel();
        net = (BiSeNetV2) model.getBlock();
        Init.fromScratch(net, cfg.seed());
        if (resume != null) {
            Weights.load(net, resume.weights(), resume.pth().toString(), Weights.Fit.STRICT);
            start = resume.iteration();
            if (resume.side() != null && resume.side().metrics() != null && resume.side().metrics().get("best_val_miou") instanceof Number b) {
                bestMiou = b.doubleValue();
            }
            log.println("resuming from " + resume.pth() + " at iteration " + start);
        } else if (cfg.init() != null) {
            Path init = Path.of(cfg.init());
            StateDict sd = PthReader.readStateDict(init);
            Weights.Report r = Weights.load(net, sd, init.getFileName().toString(), Weights.Fit.PARTIAL);
            log.println("init from " + init + ": " + r.summary());
        }
        for (Parameter p : WeightNames.of(net).values()) {
            if (p.requiresGradient()) {
                p.getArray().setRequiresGradient(true);
            }
        }
        sgd = new Sgd(WeightNames.of(net), 0.9f, (float) cfg.weightDecay());
        if (resume != null) {
            sgd.load(resume.momentum());
        }
        schedule = new LrSchedule(cfg.lr(), cfg.warmup(), 0.1, cfg.iters(), 0.9);
        loss = new SimpleCompositeLoss("booster");
        OhemCrossEntropyLoss base = new OhemCrossEntropyLoss("ohem", 255, cfg.ohem(), cfg.classWeights());
        for (int i = 0; i < HEADS.size(); i++) {
            loss.addLoss(new IndexLoss(base, i, 0));
        }
    }

    /** The iteration the run continues from (0 for a fresh run). */
    public int startIteration() {
        return start;
    }

    public BiSeNetV2 network() {
        return net;
    }

    /** Runs iterations {@link #startIteration()} .. {@code cfg.iters() - 1}. */
    public Summary run(Batches batches, Validator validator, Progress progress) throws Exception {
        NDManager root = model.getNDManager();
        long t0 = System.nanoTime();
        long wait0 = batches.waitNanos();
        double windowLoss = 0;
        double[] windowHeads = new double[HEADS.size()];
        int window = 0;
        long windowStart = System.nanoTime();
        long windowWait = batches.waitNanos();
        double lastLoss = Double.NaN;
        int logEvery = Math.max(1, Math.min(20, cfg.checkpointEvery()));
        try (MetricsLog metrics = new MetricsLog(run.metricsFile(), start)) {
            for (int it = start; it < cfg.iters(); it++) {
                Batches.Batch b = batches.next();
                if (b.iteration() != it) {
                    throw new IllegalStateException("loader gave batch " + b.iteration() + " for iteration " + it);
                }
                Engine.getInstance().setRandomSeed((int) (cfg.seed() * 1_000_003L + it)); // dropout, per iteration
                double lr = schedule.lr(it);
                float[] parts = step(root, b, lr);
                float total = 0;
                for (float p : parts) total += p;
                if (!Float.isFinite(total)) {
                    throw new UserException(String.format(Locale.ROOT,
                            "the loss became %s at iteration %d (lr %.3g); stopping without writing weights. The last good"
                                    + " checkpoint stays in %s; resume with a lower --lr, or check the labels", total, it, lr,
                            run.checkpoints()));
                }
                lastLoss = total;
                windowLoss += total;
                for (int k = 0; k < parts.length; k++) windowHeads[k] += parts[k];
                window++;
                int done = it + 1;
                progress.step(done, total, lr);
                if (done % logEvery == 0 || done == cfg.iters()) {
                    double secs = (System.nanoTime() - windowStart) / 1e9;
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("iter", done);
                    rec.put("loss", windowLoss / window);
                    for (int k = 0; k < HEADS.size(); k++) rec.put("loss_" + HEADS.get(k), windowHeads[k] / window);
                    rec.put("lr", lr);
                    rec.put("img_per_s", window * cfg.batch() / secs);
                    rec.put("data_wait_share", (batches.waitNanos() - windowWait) / 1e9 / secs);
                    rec.put("rss_mb", rssMb());
                    // the Java heap's share of it: committed grows as the collector sizes the heap
                    Runtime rt = Runtime.getRuntime();
                    rec.put("heap_committed_mb", rt.totalMemory() / 1048576.0);
                    rec.put("heap_used_mb", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
                    rec.put("time_s", (System.nanoTime() - t0) / 1e9);
                    metrics.log(rec);
                    progress.log(rec);
                    windowLoss = 0;
                    java.util.Arrays.fill(windowHeads, 0);
                    window = 0;
                    windowStart = System.nanoTime();
                    windowWait = batches.waitNanos();
                }
                Double miou = null;
                if (validator != null && cfg.evalEvery() > 0 && (done % cfg.evalEvery() == 0 || done == cfg.iters())) {
                    miou = validate(validator);
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("iter", done);
                    rec.put("val_miou", miou);
                    metrics.log(rec);
                    progress.note(String.format(Locale.ROOT, "iteration %d: validation mIoU %.2f%%", done, 100 * miou));
                    if (Double.isNaN(bestMiou) || miou > bestMiou) {
                        bestMiou = miou;
                        RunFolder.saveModel(run.best(), weights(done), sidecar(done, Map.of("val_miou", miou)));
                    }
                    metrics.drawCurves(run.curves(), "BiSeNetV2 on " + presetName);
                }
                boolean stop = stopRequested && done < cfg.iters();
                if (stop || done % cfg.checkpointEvery() == 0 || done == cfg.iters()) {
                    checkpoint(done, miou);
                }
                if (stop) {
                    // no curves here: a first use of Java2D registers a shutdown hook, which fails
                    // during shutdown (the next validation or the run's end draws them)
                    progress.note(String.format(Locale.ROOT, "stopped on request at iteration %d of %d; checkpoint saved"
                            + " in %s: the same command with --resume continues from it", done, cfg.iters(), run.checkpoints()));
                    return new Summary(done, lastLoss, bestMiou, null, (System.nanoTime() - t0) / 1e9, true);
                }
            }
            metrics.drawCurves(run.curves(), "BiSeNetV2 on " + presetName);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last_loss", lastLoss);
        if (!Double.isNaN(bestMiou)) m.put("best_val_miou", bestMiou);
        RunFolder.saveModel(run.finalModel(), weights(cfg.iters()), sidecar(cfg.iters(), m));
        double secs = (System.nanoTime() - t0) / 1e9;
        progress.note(String.format(Locale.ROOT, "data loading waited %.1f%% of the time",
                100 * (batches.waitNanos() - wait0) / 1e9 / Math.max(secs, 1e-9)));
        return new Summary(cfg.iters(), lastLoss, bestMiou, run.finalModel(), secs, false);
    }

    /**
     * Asks a running {@link #run} to stop after the step in progress (or the validation that
     * follows it), write a checkpoint there and return. Safe from any thread; does not wait.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** One training step outside a run (for benchmarks): forward, loss, backward, update. */
    public float[] step(Batches.Batch b, double lr) {
        return step(model.getNDManager(), b, lr);
    }

    /** One forward/backward/update; returns the five heads' losses. */
    private float[] step(NDManager root, Batches.Batch b, double lr) {
        try (NDManager s = root.newSubManager()) {
            NDArray x = images.images(s, b.images(), b.n(), 3, b.height(), b.width()); // channels-last memory
            NDArray y = labels.bytes(s, b.labels(), new Shape(b.n(), b.height(), b.width())).toType(DataType.INT64, false);
            float[] parts = new float[HEADS.size()];
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = net.forward(new ParameterStore(s, false), new NDList(x), true, PHASE_LAYOUT);
                NDArray total = null;
                List<Loss> comps = loss.getComponents();
                for (int k = 0; k < comps.size() && k < out.size(); k++) {
                    NDArray l = comps.get(k).evaluate(new NDList(y), out);
                    parts[k] = l.getFloat();
                    total = total == null ? l : total.add(l);
                }
                if (!Float.isFinite(sum(parts))) {
                    sgd.zeroGradients();
                    return parts;
                }
                gc.backward(total);
            }
            sgd.step(lr);
            return parts;
        }
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) s += x;
        return s;
    }

    private double validate(Validator validator) throws Exception {
        DjlBackend eval = new DjlBackend(model, false); // same weights, BatchNorm in inference mode
        return validator.meanIoU(eval);
    }

    private void checkpoint(int done, Double miou) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (miou != null) m.put("val_miou", miou);
        if (!Double.isNaN(bestMiou)) m.put("best_val_miou", bestMiou);
        run.save(done, weights(done), sgd.state(), sidecar(done, m));
        run.prune(cfg.keepLast());
    }

    /** The weights as a reference state dict; refuses to produce non-finite weights. */
    private StateDict weights(int done) {
        for (Map.Entry<String, Parameter> e : WeightNames.of(net).entrySet()) {
            try (NDManager tmp = model.getNDManager().newSubManager()) {
                NDArray w = e.getValue().getArray();
                NDArray inf = w.isInfinite();
                inf.attach(tmp); // results join their first operand's manager: keep them out of the model's
                NDArray nan = w.isNaN();
                nan.attach(tmp);
                if (inf.logicalOr(nan).any().getBoolean()) {
                    throw new UserException("weight " + e.getKey() + " is not finite at iteration " + done
                            + "; nothing was written, the last good checkpoint stays in " + run.checkpoints());
                }
            }
        }
        return Weights.toStateDict(net, done);
    }

    @SuppressWarnings("unchecked")
    private Sidecar sidecar(int done, Map<String, Object> metrics) {
        return new Sidecar(Sidecar.FORMAT, presetName, info.numClasses(), cfg.large() ? "large" : "base",
                net.headWidth(), info.classNames(), info.paletteRows(), info.mean(), info.std(), Sidecar.PAD_TO_32, (long) done,
                JSON.convertValue(cfg, Map.class), metrics);
    }

    /** Resident memory of this process in MB, from /proc (Linux); -1 elsewhere. */
    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    @Override
    public void close() {
        model.close();
    }
}
