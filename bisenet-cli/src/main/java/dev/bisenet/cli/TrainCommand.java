package dev.bisenet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bisenet.train.BatchLoader;
import dev.bisenet.data.ClassWeights;
import dev.bisenet.data.DatasetSpec;
import dev.bisenet.data.Datasets;
import dev.bisenet.train.JointTransform;
import dev.bisenet.data.Preset;
import dev.bisenet.image.Sizes;
import dev.bisenet.data.SegDataset;
import dev.bisenet.eval.DatasetSamples;
import dev.bisenet.eval.EvalOptions;
import dev.bisenet.eval.Evaluator;
import dev.bisenet.eval.Mode;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.train.Progress;
import dev.bisenet.train.RunFolder;
import dev.bisenet.train.TrainConfig;
import dev.bisenet.train.TrainDefaults;
import dev.bisenet.train.Trainer;
import dev.bisenet.train.Validator;
import dev.bisenet.util.UserException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bisenet train}: the booster training recipe, resumable. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train BiSeNetV2 with the booster recipe (OHEM cross entropy on the main and four booster heads,",
            "SGD momentum 0.9, 10x lr on the heads, 1000-iteration warmup then poly 0.9). Checkpoints go to --out;",
            "--resume continues the newest one. Every option has a per-preset default, printed at the start.",
            "Ctrl-C or SIGTERM stops after the step in progress and writes a checkpoint there first."},
        footer = {"", "Examples:",
            "  ./bisenet train --preset camvid --data ../shared/data/camvid --out runs/camvid",
            "  ./bisenet train --preset camvid --data ../shared/data/camvid --out runs/camvid --resume",
            "  ./bisenet train --preset custom --data DIR --train-list train.txt --val-list val.txt --num-classes 5 --out runs/mine"})
public final class TrainCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--preset", required = true, description = "cityscapes, camvid, coco, ade20k, or custom (with --train-list).")
    String preset;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset root folder.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUNDIR", description = "Run folder: checkpoints, metrics, curves.")
    Path out;

    @Option(names = "--iters", description = "Total iterations of the run (also after --resume).")
    Integer iters;

    @Option(names = "--batch", description = "Images per iteration (at least 2).")
    Integer batch;

    @Option(names = "--crop", paramLabel = "HxW", description = "Training crop, height x width, multiples of 32.")
    String crop;

    @Option(names = "--scale", paramLabel = "MIN,MAX", split = ",", description = "Random scale range.")
    double[] scale;

    @Option(names = "--class-crops", paramLabel = "P", description = {
        "Probability, 0 to 1, that a crop is placed on a class drawn uniformly among the image's, for thin and rare",
        "classes a random window often misses (default 0: windows placed uniformly, as the reference)."})
    Double classCrops;

    @Option(names = "--jitter", paramLabel = "J", description = {
        "Colour jitter strength, 0 to 1: brightness, contrast and saturation each scaled by a factor drawn from",
        "[1 - J, 1 + J] (default 0.4, the reference's recipe; 0 turns it off)."})
    Double jitter;

    @Option(names = "--lr", description = "Base learning rate (heads get 10x).")
    Double lr;

    @Option(names = "--weight-decay", description = "Weight decay on conv weights.")
    Double weightDecay;

    @Option(names = "--warmup", description = "Warmup iterations (default 1000, at most a fifth of the run).")
    Integer warmup;

    @Option(names = "--loss", defaultValue = "ohem", description = "ohem (default) or ce.")
    String loss;

    @Option(names = "--init", paramLabel = "FILE", description = "Start from a checkpoint (any class count; the reference backbone file works too).")
    Path init;

    @Option(names = "--resume", description = "Continue the newest complete checkpoint in --out.")
    boolean resume;

    @Option(names = "--large", description = "Train BiSeNetV2-Large (alpha 2, d 3).")
    boolean large;

    @Option(names = "--head-width", paramLabel = "N", description = "Width of the segmentation head's 3x3 conv (default 1024, as the reference checkpoints; 128 runs about 1.4x faster at inference, and its checkpoints no longer fit the reference model).")
    Integer headWidth;

    @Option(names = "--eval-every", description = "Validate every N iterations (0: never).")
    Integer evalEvery;

    @Option(names = "--checkpoint-every", description = "Checkpoint every N iterations (default 100).")
    Integer checkpointEvery;

    @Option(names = "--keep", defaultValue = "3", description = "Checkpoints kept besides best and final (default 3).")
    int keep;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of data order, augmentation, dropout and initialisation.")
    long seed;

    @Option(names = "--loader-threads", defaultValue = "1", description = "Data loading threads (default 1).")
    int loaderThreads;

    @Option(names = "--skip-bad", description = "Skip unreadable or invalid samples (reported at the end) instead of stopping.")
    boolean skipBad;

    @Option(names = "--val-split", defaultValue = "val", description = "Split used for validation (default val).")
    String valSplit;

    @Option(names = "--val-limit", description = "Validate on the first N images only.")
    Integer valLimit;

    @Option(names = "--train-list", paramLabel = "FILE", description = "custom: list of 'image label' pairs, relative to --data.")
    Path trainList;

    @Option(names = "--val-list", paramLabel = "FILE", description = "custom: validation list.")
    Path valList;

    @Option(names = "--num-classes", description = "custom: class count.")
    Integer numClasses;

    @Option(names = "--ignore", defaultValue = "255", description = "custom: label value to ignore (default 255).")
    int ignore;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", description = "Normalisation mean (custom default: ImageNet).")
    float[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", description = "Normalisation std.")
    float[] std;

    @Option(names = "--class-weights", paramLabel = "none|median|sqrt|W,...", description = {
        "Class weights in the loss, for thin and rare classes: median (SegNet's median frequency balancing,",
        "from the training labels), sqrt (its square root, milder), or one number per class (default none, as the reference)."})
    String classWeights;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        common.configureEngine();
        boolean custom = preset.equalsIgnoreCase("custom");
        DatasetSpec spec = custom ? customSpec() : Preset.parse(preset).spec();
        RunFolder run = new RunFolder(out);
        RunFolder.Resume from = resume ? run.latest() : null;
        if (resume && from == null) {
            System.out.println("note: --resume but " + out + " has no complete checkpoint yet: starting a new run");
        }
        if (!resume && !run.completed().isEmpty()) {
            throw new UserException(out + " already holds checkpoints of a run: pass --resume to continue it, or choose another --out");
        }
        TrainConfig cfg = from != null && from.side() != null && from.side().training() != null
                ? resumedConfig(sidecarConfig(from.side(), from.pth(), "start a new run in another --out"))
                : config(spec);
        System.out.println("BiSeNetV2 training, " + cfg.describe());
        String malloc = Allocator.describe();
        System.out.println("  malloc " + malloc);
        String hint = Allocator.trainingHint(malloc, System.getenv());
        if (hint != null) {
            System.out.println(hint);
        }
        if (preset.equalsIgnoreCase("camvid") && mean == null) {
            System.out.println("  (CamVid has no reference mean/std: these were computed from its train split)");
        }
        SegDataset train = custom ? Datasets.fromList(data, trainList, spec, skipBad)
                : Datasets.open(Preset.parse(preset), data, "train", skipBad);
        SegDataset val = cfg.evalEvery() == 0 ? null : custom ? (valList == null ? null : Datasets.fromList(data, valList, spec, skipBad))
                : Datasets.open(Preset.parse(preset), data, valSplit, skipBad);
        if (classWeights != null) {
            float[] w = ClassWeights.parse(classWeights, spec.numClasses(), () -> ClassWeights.count(train, spec.numClasses()));
            if (from == null) {
                cfg = cfg.toBuilder().classWeights(w).build();
                if (w != null) {
                    System.out.println("  class weights in the loss (" + classWeights + "): " + Arrays.toString(w));
                }
            } else if (!sameWeights(w, cfg.classWeights())) {
                // the same command with --resume goes on; a different value would change the recipe mid-run
                throw new UserException("--class-weights " + classWeights + " gives " + Arrays.toString(w)
                        + ", but the run being resumed in " + out + " trains with " + Arrays.toString(cfg.classWeights())
                        + "; a resumed run keeps its class weights: leave the option out or pass the one it started with");
            }
        }
        System.out.println("  data: " + train.name()); // the layout's note, e.g. which Cityscapes labels were read
        System.out.println("  train: " + train.size() + " images" + (val != null ? ", validation: " + val.size() + " images" : ""));
        ModelInfo info = new ModelInfo(spec.classNames(), spec.palette(), cfg.mean(), cfg.std());
        JointTransform.Params aug = cfg.augmentation();
        TrainConfig config = cfg;
        Validator validator = val == null ? null : backend -> {
            try (DatasetSamples samples = new DatasetSamples(val, config.mean(), config.std(),
                    valLimit != null ? valLimit : Integer.MAX_VALUE)) {
                return Evaluator.evaluate(samples, backend, EvalOptions.of(Mode.SS, 255), Evaluator.ProgressListener.NONE)
                        .metrics().meanIoU();
            }
        };
        Trainer.Summary s;
        // SIGTERM or Ctrl-C: the JVM runs its shutdown hooks, then exits; libtorch's static
        // destructors run on that exit, and a step still computing in them crashes the JVM
        // (SIGSEGV in libtorch_cpu, with a crash report). So the hook asks the loop to stop after
        // its step, write a checkpoint there, and close the model; exit waits for that (bounded,
        // as a validation pass can take minutes: past the bound the last periodic checkpoint stays).
        StopOnSignal stop = new StopOnSignal();
        Thread hook = new Thread(stop::signalAndWait, "bisenet-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            try (Trainer trainer = new Trainer(cfg, info, run, from, System.out);
                    BatchLoader loader = new BatchLoader(train, cfg.batch(), aug, cfg.seed(), trainer.startIteration(),
                            cfg.loaderThreads(), 2 + cfg.loaderThreads());
                    Progress progress = Progress.create(trainer.startIteration(), cfg.iters(), cfg.batch(), System.out)) {
                stop.attach(trainer);
                s = trainer.run(loader, validator, progress);
            }
        } finally {
            stop.closed.countDown();
        }
        if (s.stopped()) {
            if (stop.signalled()) {
                // The JVM is exiting, with the signal's status (143 for SIGTERM, 130 for Ctrl-C), on
                // the thread that ran the hook. Returning a status would race it: System.exit(1),
                // once the hooks have run, halts the JVM at once with 1 (CI saw 1 for 143 on a busy
                // machine). So this thread waits for that exit to end it.
                awaitExit();
            }
            return 1;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal came as the run finished: the hook finds the run closed and returns at once
        }
        System.out.printf(Locale.ROOT, "done: %d iterations in %.1f min, last loss %.4f%s; final model %s%n",
                s.iterations(), s.seconds() / 60, s.lastLoss(),
                Double.isNaN(s.bestMiou()) ? "" : String.format(Locale.ROOT, ", best val mIoU %.2f%%", 100 * s.bestMiou()),
                s.finalModel());
        List<SegDataset.Bad> bad = train.badSamples();
        if (!bad.isEmpty()) {
            System.out.println(bad.size() + " bad training samples were skipped:");
            bad.forEach(b -> System.out.println("  " + b.file() + ": " + b.reason()));
        }
        return 0;
    }

    private DatasetSpec customSpec() {
        if (trainList == null || numClasses == null) {
            throw new UserException("--preset custom needs --train-list FILE and --num-classes N (and usually --val-list)");
        }
        return DatasetSpec.custom(numClasses, ignore, null, mean, std);
    }

    /**
     * The run's settings from the sidecar {@code train} wrote beside {@code checkpoint}; a 'training' section that
     * TrainConfig refuses (a mistyped field, a value out of bounds) is a UserException naming the sidecar, ending
     * with {@code otherwise}, the caller's way out. train --resume and average --data share it.
     */
    static TrainConfig sidecarConfig(Sidecar side, Path checkpoint, String otherwise) {
        try {
            return JSON.convertValue(side.training(), TrainConfig.class);
        } catch (IllegalArgumentException e) { // Jackson's wrapper around TrainConfig's own refusal or a mistyped field
            throw new UserException(Sidecar.pathFor(checkpoint) + ": its 'training' section is not a run's settings ("
                    + UserException.rootMessage(e).lines().findFirst().orElse("") + "). Restore the sidecar train"
                    + " wrote beside the checkpoint, or " + otherwise);
        }
    }

    /** Sets --crop HxW and --scale MIN,MAX on {@code c} where given (null: left as they are); train and average share it. */
    static void cropAndScale(TrainConfig.Builder c, String crop, double[] scale) {
        if (crop != null) {
            int[] hw = Sizes.parse(crop, "--crop");
            c.crop(hw[0], hw[1]);
        }
        if (scale != null) {
            if (scale.length != 2) throw new UserException("--scale takes two numbers: MIN,MAX");
            c.scale(scale[0], scale[1]);
        }
    }

    private TrainConfig config(DatasetSpec spec) {
        TrainConfig.Builder c = TrainConfig.defaults(preset.toLowerCase(Locale.ROOT)).data(data.toString());
        if (iters != null) c.iters(iters);
        if (batch != null) c.batch(batch);
        cropAndScale(c, crop, scale);
        if (lr != null) c.lr(lr);
        if (weightDecay != null) c.weightDecay(weightDecay);
        if (warmup != null) c.warmup(warmup);
        if (classCrops != null) c.classCrops(classCrops);
        if (jitter != null) c.jitter(jitter);
        if (!loss.equals("ohem") && !loss.equals("ce")) throw new UserException("--loss is ohem or ce, got " + loss);
        if (headWidth != null) c.headWidth(headWidth);
        if (init != null) c.init(init.toString());
        if (evalEvery != null) c.evalEvery(evalEvery);
        if (checkpointEvery != null) c.checkpointEvery(checkpointEvery);
        return c.ohem(loss.equals("ohem")).large(large).keepLast(keep).seed(seed).threads(common.threads())
                .loaderThreads(loaderThreads)
                .normalisation(mean != null ? mean : spec.mean(), std != null ? std : spec.std())
                .build();
    }

    /** The stored config, with the options a resumed run may change. */
    private TrainConfig resumedConfig(TrainConfig c) {
        for (Object[] fixed : new Object[][] {{batch, c.batch(), "--batch"}, {lr, c.lr(), "--lr"}, {headWidth, c.modelHeadWidth(), "--head-width"},
                {classCrops, c.classCrops(), "--class-crops"}, {jitter, c.jitter(), "--jitter"}}) {
            if (fixed[0] != null && !fixed[0].equals(fixed[1])) {
                throw new UserException(fixed[2] + " " + fixed[0] + " differs from the run being resumed (" + fixed[1]
                        + "); a resumed run keeps its recipe (only --iters, --eval-every, --checkpoint-every, --keep,"
                        + " threads may change)");
            }
        }
        if (crop != null && !Arrays.equals(Sizes.parse(crop, "--crop"), new int[] {c.cropHeight(), c.cropWidth()})) {
            throw new UserException("--crop differs from the run being resumed (" + c.cropHeight() + "x" + c.cropWidth() + ")");
        }
        TrainConfig.Builder b = c.toBuilder().data(data.toString()).keepLast(keep).threads(common.threads())
                .loaderThreads(loaderThreads);
        if (iters != null) b.iters(iters);
        if (evalEvery != null) b.evalEvery(evalEvery);
        if (checkpointEvery != null) b.checkpointEvery(checkpointEvery);
        return b.build();
    }

    /** Equal class weights, up to the float rounding of a sidecar's JSON; null is no weights. */
    static boolean sameWeights(float[] a, float[] b) {
        if (a == null || b == null) return a == b;
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-5f * Math.max(1f, Math.abs(b[i]))) return false;
        }
        return true;
    }

    /** How long exit waits for the step in progress (or a validation pass) and its checkpoint. */
    static final int STOP_WAIT_SECONDS = 300;

    /** Sleeps until the JVM's exit, which is under way, ends this thread with the process. */
    private static void awaitExit() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // keep waiting: the exit decides
            }
        }
    }

    /** Between the shutdown hook and the training thread: a signal may come before the trainer exists. */
    private static final class StopOnSignal {
        final CountDownLatch closed = new CountDownLatch(1);
        private Trainer trainer;
        private boolean signalled;

        synchronized void attach(Trainer t) {
            trainer = t;
            if (signalled) t.requestStop();
        }

        synchronized boolean signalled() {
            return signalled;
        }

        void signalAndWait() {
            synchronized (this) {
                signalled = true;
                if (trainer != null) trainer.requestStop();
            }
            try {
                closed.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
