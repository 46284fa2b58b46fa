package dev.bisenet.cli;

import ai.djl.Model;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.PthWriter;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.WeightAverage;
import dev.bisenet.data.DatasetSpec;
import dev.bisenet.data.Datasets;
import dev.bisenet.data.Preset;
import dev.bisenet.data.SegDataset;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.OutputMode;
import dev.bisenet.model.Weights;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.train.BatchLoader;
import dev.bisenet.train.BatchNormStats;
import dev.bisenet.train.TrainConfig;
import dev.bisenet.util.UserException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bisenet average}: stochastic weight averaging over checkpoints of one run. */
@Command(name = "average", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Average the weights of several checkpoints of one run (stochastic weight averaging) into one model.",
            "With --data, BatchNorm's running statistics are then recomputed for the averaged weights on training",
            "batches (the run's crop, scale and batch size, from the checkpoints' sidecar); without it they are",
            "averaged too, which only approximates them. The sidecar of the last checkpoint goes beside --out."},
        footer = {"", "Example:",
            "  ./bisenet average --out swa.pth --data ../shared/data/camvid runs/camvid/checkpoints/iter_0012*.pth"})
public final class AverageCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "CHECKPOINT.pth", description = "Checkpoints of the same network.")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "FILE.pth", description = "The averaged model (its sidecar FILE.json beside it).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Dataset root: recompute BatchNorm statistics on its train split.")
    Path data;

    @Option(names = "--bn-batches", description = "Training batches for the BatchNorm statistics (default: one pass over the train split).")
    Integer bnBatches;

    @Option(names = "--batch", description = "Images per batch for the statistics (default: the run's batch).")
    Integer batch;

    @Option(names = "--crop", paramLabel = "HxW", description = {"--data: crop of the statistics' batches, height x width, multiples of 32 (default: the run's).",
        "A run trained on small crops can take its statistics on crops the size of the images it will segment."})
    String crop;

    @Option(names = "--scale", paramLabel = "MIN,MAX", split = ",", description = "--data: random scale range of the statistics' batches (default: the run's).")
    double[] scale;

    @Option(names = "--train-list", paramLabel = "FILE", description = "custom preset: the run's list of 'image label' pairs, relative to --data.")
    Path trainList;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the batches' order and augmentation (default 1).")
    long seed;

    @Option(names = "--skip-bad", description = "Skip unreadable training samples instead of stopping.")
    boolean skipBad;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        WeightAverage avg = new WeightAverage();
        List<String> names = new ArrayList<>();
        Sidecar side = null;
        Path sideOf = null;
        for (Path in : inputs) {
            StateDict sd = PthReader.readStateDict(in);
            avg.add(sd, in.toString());
            Sidecar s = Sidecar.readFor(in);
            if (s != null) {
                side = s;
                sideOf = in;
            }
            names.add(in.getFileName() + (s != null && s.iteration() != null ? " (iteration " + s.iteration() + ")" : ""));
        }
        System.out.println("averaged " + avg.count() + " checkpoints: " + String.join(", ", names));
        StateDict mean = avg.mean();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("averaged_from", inputs.stream().map(Path::toString).toList());
        if (data != null) {
            mean = recomputeBatchNorm(mean, side, sideOf, metrics);
        } else {
            metrics.put("batchnorm", "running statistics averaged (not recomputed: no --data)");
            System.out.println("BatchNorm statistics averaged, not recomputed (pass --data DIR to recompute them on"
                    + " training data, as weight averaging needs)");
        }
        PthWriter.write(mean, out);
        if (side != null) {
            side.withMetrics(metrics).writeFor(out);
        }
        System.out.println("wrote " + out + (side != null ? " and " + Sidecar.pathFor(out) : " (no sidecar: the inputs had none)"));
        return 0;
    }

    /** {@code mean} with BatchNorm statistics recomputed for its weights in place of the averaged ones. */
    private StateDict recomputeBatchNorm(StateDict mean, Sidecar side, Path sideOf, Map<String, Object> metrics) throws Exception {
        if (side == null || side.training() == null || side.preset() == null) {
            throw new UserException("--data: recomputing BatchNorm statistics needs the run's training settings, from the"
                    + " sidecar (NAME.json) beside a checkpoint; none of the inputs has one with a 'training' section."
                    + " Leave out --data to average the statistics instead");
        }
        TrainConfig cfg = TrainCommand.sidecarConfig(side, sideOf, "leave out --data to average the statistics instead");
        if (crop != null || scale != null) {
            TrainConfig.Builder over = cfg.toBuilder(); // build() checks the crop and scale as train does
            TrainCommand.cropAndScale(over, crop, scale);
            cfg = over.build();
        }
        common.configureEngine();
        SegDataset train;
        if (side.preset().equalsIgnoreCase("custom")) {
            if (trainList == null || side.numClasses() == null) {
                throw new UserException("--data: the run used --preset custom; give its --train-list FILE too");
            }
            DatasetSpec spec = DatasetSpec.custom(side.numClasses(), Preset.IGNORE, side.classes(), cfg.mean(), cfg.std());
            train = Datasets.fromList(data, trainList, spec, skipBad);
        } else {
            train = Datasets.open(Preset.parse(side.preset()), data, "train", skipBad);
        }
        int b = batch != null ? batch : cfg.batch();
        if (b < 2) {
            throw new UserException("--batch " + b + ": BatchNorm statistics need at least 2 images per batch");
        }
        int count = bnBatches != null ? bnBatches : Math.max(1, (train.size() + b - 1) / b);
        if (count < 1) {
            throw new UserException("--bn-batches must be at least 1, got " + count);
        }
        System.out.printf(Locale.ROOT, "recomputing BatchNorm statistics: %d batches of %d crops %dx%d (HxW), scale %.2f..%.2f, from %s%n",
                count, b, cfg.cropHeight(), cfg.cropWidth(), cfg.scaleMin(), cfg.scaleMax(), train.name());
        ModelSpec spec = ModelSpec.detect(mean, out.getFileName().toString());
        StateDict result;
        try (Model model = BiSeNetV2.newModel(spec, OutputMode.TRAIN);
                BatchLoader loader = new BatchLoader(train, b, cfg.augmentation(), seed, 0, 1, 3)) {
            BiSeNetV2 net = (BiSeNetV2) model.getBlock();
            Weights.load(net, mean, "the average", Weights.Fit.STRICT);
            BatchNormStats.recompute(net, model.getNDManager(), loader, count, i -> {
                if (i % 10 == 0 || i == count) System.out.println("  batch " + i + " of " + count);
            });
            long tracked = mean.keys().stream().filter(k -> k.endsWith(".num_batches_tracked")).findFirst()
                    .map(k -> mean.get(k).toLongs()[0]).orElse(0L);
            result = Weights.toStateDict(net, tracked);
        }
        List<SegDataset.Bad> bad = train.badSamples();
        if (!bad.isEmpty()) {
            System.out.println(bad.size() + " bad training samples were skipped:");
            bad.forEach(x -> System.out.println("  " + x.file() + ": " + x.reason()));
        }
        metrics.put("batchnorm", String.format(Locale.ROOT, "recomputed on %d batches of %d crops %dx%d, scale %.2f..%.2f, of %s (seed %d)",
                count, b, cfg.cropHeight(), cfg.cropWidth(), cfg.scaleMin(), cfg.scaleMax(), train.name(), seed));
        return result;
    }
}
