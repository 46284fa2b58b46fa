package dev.bisenet.cli;

import dev.bisenet.data.DatasetSpec;
import dev.bisenet.data.Datasets;
import dev.bisenet.data.Preset;
import dev.bisenet.data.SegDataset;
import dev.bisenet.eval.DatasetSamples;
import dev.bisenet.eval.EvalOptions;
import dev.bisenet.eval.EvalReport;
import dev.bisenet.eval.Evaluator;
import dev.bisenet.eval.Mode;
import dev.bisenet.infer.Backend;
import dev.bisenet.infer.ModelLoader;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.train.TrainDefaults;
import dev.bisenet.util.AtomicFiles;
import dev.bisenet.util.UserException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bisenet eval}: mIoU of a model on a dataset split, under the papers' protocols. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model on a dataset split: per-class IoU, mIoU, pixel accuracy, mean accuracy,",
            "frequency-weighted IoU. Protocols: ss (whole image), ssc (sliding crops), msf (multi-scale + flip);",
            "give several (--mode ss,msf) to run each in turn. --json and --csv write the numbers for scripts."},
        footer = {"", "Examples:",
            "  ./bisenet eval --preset camvid --data ../shared/data/camvid --split test --checkpoint models/bisenetv2_camvid.pth",
            "  ./bisenet eval --preset cityscapes --data cityscapes/ --split val --checkpoint model_final_v2_city.pth --scale 0.5 --mode ss,msf"})
public final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset root folder.")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Split to evaluate: val (default) or test.")
    String split;

    @Option(names = "--mode", defaultValue = "ss", split = ",", description = "ss (default), ssc, msf, or several.")
    List<String> modes;

    @Option(names = "--scale", defaultValue = "1", description = "Run the network at this fraction of the image size and resize the prediction back.")
    double scale;

    @Option(names = "--crop", paramLabel = "HxW", description = "Crop of the ssc protocol (default: the preset's training crop).")
    String crop;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON (one file; several modes go in a list).")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write the per-class IoU and summary as CSV.")
    Path csv;

    @Option(names = "--limit", description = "Evaluate the first N images only.")
    Integer limit;

    @Option(names = "--list", paramLabel = "FILE", description = "custom datasets: list of 'image label' pairs relative to --data.")
    Path list;

    @Option(names = "--skip-bad", description = "Skip unreadable or invalid samples instead of stopping.")
    boolean skipBad;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Run as an Apache Spark job (local[N], spark://host:port, yarn, k8s://...): partitions of the split"
                    + " are evaluated on the executors and their confusion matrices summed; the same numbers as without it.")
    String spark;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        common.configureEngine();
        PrintStream out = System.out;
        if (spark != null) {
            modes.forEach(Mode::parse); // a bad mode is the user's mistake before any job starts
            int[] hw = crop != null ? dev.bisenet.image.Sizes.parse(crop, "--crop") : defaultCrop();
            return SparkJobs.find().eval(new SparkJobs.EvalJob(spark, model, common.threads, data.toString(), split,
                    modes, scale, hw, list != null ? list.toString() : null, limit, skipBad, json, csv), out);
        }
        ModelLoader.Loaded opened = model.openBackend(out, common.threads());
        try (Backend backend = opened.backend()) {
            ModelInfo info = opened.info();
            SegDataset ds = dataset(info, backend.numClasses());
            int n = limit != null ? Math.min(limit, ds.size()) : ds.size();
            List<String> jsons = new ArrayList<>();
            StringBuilder csvOut = new StringBuilder();
            for (String m : modes) {
                Mode mode = Mode.parse(m);
                EvalOptions opts = EvalOptions.of(mode, Preset.IGNORE).withScale(scale);
                if (mode == Mode.SSC) {
                    int[] hw = crop != null ? dev.bisenet.image.Sizes.parse(crop, "--crop") : defaultCrop();
                    opts = opts.withCrop(hw[0], hw[1]);
                }
                out.printf(Locale.ROOT, "%s, %s split, %d images: %s%s%n", ds.name(), split, n, mode.description(),
                        scale != 1 ? String.format(Locale.ROOT, ", network at %.3g x size", scale) : "");
                Timed timed = new Timed(backend);
                long t0 = System.nanoTime();
                Evaluator.Result result;
                try (DatasetSamples samples = new DatasetSamples(ds, info.mean(), info.std(), n);
                        Bar bar = new Bar(n, mode.cliName())) {
                    result = Evaluator.evaluate(samples, timed, opts, bar::done);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                String checkpoint = opened.file() != null ? opened.file().toString() : "(random)";
                EvalReport report = EvalReport.of(info.classNames(), result, opts, split, checkpoint);
                out.println(report.toTable());
                out.printf(Locale.ROOT, "time: %.1f s, %.0f ms per image; %.1f%% of it outside the network (loading, resizing, softmax, metrics)%n%n",
                        secs, 1000 * secs / Math.max(1, result.numImages()), 100 * (1 - timed.nanos / 1e9 / secs));
                jsons.add(report.toJson());
                csvOut.append(report.toCsv());
            }
            if (json != null) {
                String body = jsons.size() == 1 ? jsons.get(0) : "[" + String.join(",\n", jsons) + "]";
                AtomicFiles.write(json, body.getBytes(StandardCharsets.UTF_8));
            }
            if (csv != null) {
                AtomicFiles.write(csv, csvOut.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return 0;
    }

    private SegDataset dataset(ModelInfo info, int numClasses) {
        Preset p = model.presetOrNull();
        if (list != null) {
            DatasetSpec spec = DatasetSpec.custom(numClasses, 255, info.classNames(), info.mean(), info.std());
            return Datasets.fromList(data, list, spec, skipBad);
        }
        if (p == null) {
            throw new UserException("eval needs --preset (cityscapes, camvid, coco, ade20k) or --list FILE for a custom dataset");
        }
        // the loader has checked the preset against the model
        return Datasets.open(p, data, split, skipBad);
    }

    private int[] defaultCrop() {
        Preset p = model.presetOrNull();
        TrainDefaults d = TrainDefaults.forPreset(p != null ? p.cliName() : "custom");
        return new int[] {d.cropHeight(), d.cropWidth()};
    }

    /** Counts the time spent inside the network, to report what the rest costs. */
    private static final class Timed implements Backend {
        private final Backend inner;
        long nanos;

        Timed(Backend inner) {
            this.inner = inner;
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }

        @Override
        public float[] logits(float[] nchw, int n, int h, int w) {
            long t = System.nanoTime();
            try {
                return inner.logits(nchw, n, h, w);
            } finally {
                nanos += System.nanoTime() - t;
            }
        }

        @Override
        public int[] labels(float[] nchw, int n, int h, int w) {
            long t = System.nanoTime();
            try {
                return inner.labels(nchw, n, h, w);
            } finally {
                nanos += System.nanoTime() - t;
            }
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void close() {}
    }

    /** A progress bar on a terminal; a line every 10% otherwise. */
    private static final class Bar implements AutoCloseable {
        private final ProgressBar bar;
        private final int total;

        Bar(int total, String task) {
            this.total = total;
            bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("eval " + task)
                    .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(300).build();
        }

        void done(int count, String name) {
            if (bar != null) {
                bar.stepTo(count);
            } else if (count % Math.max(1, total / 10) == 0 || count == total) {
                System.err.printf(Locale.ROOT, "  %d/%d images%n", count, total);
            }
        }

        @Override
        public void close() {
            if (bar != null) bar.close();
        }
    }
}
