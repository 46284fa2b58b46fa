package dev.bisenet.spark;

import dev.bisenet.cli.SparkJobs;
import dev.bisenet.data.DatasetSpec;
import dev.bisenet.data.Datasets;
import dev.bisenet.data.Preset;
import dev.bisenet.data.SegDataset;
import dev.bisenet.eval.ConfusionMatrix;
import dev.bisenet.eval.DatasetSamples;
import dev.bisenet.eval.EvalOptions;
import dev.bisenet.eval.Evaluator;
import dev.bisenet.eval.Metrics;
import dev.bisenet.eval.Mode;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.util.UserException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@code eval --spark}: each partition is a range of the split's images, evaluated on an executor
 * by the single-machine {@link Evaluator} into a confusion matrix; the driver adds the matrices.
 * Counts are integers, so the sum, and every number computed from it, is the same however the
 * images are split.
 */
final class SparkEval {

    private SparkEval() {}

    /** Where the dataset is and how it is read; each executor opens it from this. */
    record DataRef(String root, String preset, String split, String list, boolean skipBad, int numClasses,
            List<String> classNames, float[] mean, float[] std) implements Serializable {

        SegDataset open() {
            Path r = localPath(root, "--data");
            if (list != null) {
                DatasetSpec spec = DatasetSpec.custom(numClasses, 255, classNames, mean, std);
                return Datasets.fromList(r, localPath(list, "--list"), spec, skipBad);
            }
            return Datasets.open(Preset.parse(preset), r, split, skipBad);
        }
    }

    /** The protocol, as it travels to executors (EvalOptions is not serialisable). */
    record Protocol(String mode, double scale, int cropHeight, int cropWidth) implements Serializable {
        EvalOptions options() {
            Mode m = Mode.parse(mode);
            EvalOptions o = EvalOptions.of(m, Preset.IGNORE).withScale(scale);
            return m == Mode.SSC ? o.withCrop(cropHeight, cropWidth) : o;
        }
    }

    /** A partition's share: the counts of its matrix and how many images it saw. */
    record Partial(long[] counts, int images) implements Serializable {}

    /**
     * A local path from a path or a {@code file:} URI. Datasets are found by their layout on a
     * file system the JVM sees (shared by the executors); other file systems are refused.
     */
    static Path localPath(String s, String flag) {
        if (s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !s.matches("^[a-zA-Z]:\\\\.*")) {
            URI u = URI.create(s);
            if (!"file".equals(u.getScheme())) {
                throw new UserException(flag + " " + s + ": eval --spark reads datasets by their folder layout, from a local"
                        + " or shared folder (or a file: URI) that every executor sees; copy or mount the dataset there");
            }
            return Path.of(u);
        }
        return Path.of(s);
    }

    static DataRef dataRef(SparkJobs.EvalJob job, ModelInfo info, int numClasses) {
        Preset p = job.model().presetOrNull();
        if (job.list() == null && p == null) {
            throw new UserException("eval needs --preset (cityscapes, camvid, coco, ade20k) or --list FILE for a custom dataset");
        }
        return new DataRef(job.data(), p != null ? p.cliName() : null, job.split(), job.list(), job.skipBad(), numClasses,
                info.classNames(), info.mean(), info.std());
    }

    /** Evaluates {@code n} images of {@code data} with {@code options}; the matrix of the whole split. */
    static Evaluator.Result run(SparkSession spark, Broadcast<ShippedModel> model, DataRef data, int n, Protocol options,
            int numClasses) {
        List<Integer> indices = IntStream.range(0, n).boxed().toList();
        Partial sum = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(indices, SparkJobSupport.slices(spark, n))
                .mapPartitions(new Part(model, data, options))
                .reduce(SparkEval::add);
        ConfusionMatrix m = ConfusionMatrix.of(numClasses, sum.counts());
        return new Evaluator.Result(Metrics.of(m), m, sum.images());
    }

    static Partial add(Partial a, Partial b) {
        long[] c = a.counts().clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += b.counts()[i];
        }
        return new Partial(c, a.images() + b.images());
    }

    /** One partition: its images through the Evaluator, on this JVM's model. */
    static final class Part implements FlatMapFunction<Iterator<Integer>, Partial> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<ShippedModel> model;
        private final DataRef data;
        private final Protocol options;

        Part(Broadcast<ShippedModel> model, DataRef data, Protocol options) {
            this.model = model;
            this.data = data;
            this.options = options;
        }

        @Override
        public Iterator<Partial> call(Iterator<Integer> indices) {
            ExecutorModels.Shared shared = ExecutorModels.get(model.value());
            SegDataset ds = data.open();
            List<Integer> mine = new ArrayList<>();
            indices.forEachRemaining(mine::add);
            if (!mine.isEmpty() && mine.get(mine.size() - 1) - mine.get(0) != mine.size() - 1) {
                throw new IllegalStateException("partition indices are not consecutive: " + mine.get(0) + ".."
                        + mine.get(mine.size() - 1) + " for " + mine.size() + " images");
            }
            if (mine.isEmpty()) {
                return List.of(new Partial(new long[shared.backend().numClasses() * shared.backend().numClasses()], 0)).iterator();
            }
            // the partition's images are consecutive: DatasetSamples over the whole split, from its first
            Iterator<Evaluator.Sample> samples = new Iterator<>() {
                final DatasetSamples all = new DatasetSamples(new Slice(ds, mine.get(0)).dataset(), data.mean(), data.std(),
                        mine.size());

                @Override
                public boolean hasNext() {
                    boolean more = all.hasNext();
                    if (!more) {
                        all.close();
                    }
                    return more;
                }

                @Override
                public Evaluator.Sample next() {
                    return all.next();
                }
            };
            Evaluator.Result r = Evaluator.evaluate(samples, shared.backend(), options.options(),
                    Evaluator.ProgressListener.NONE);
            return List.of(new Partial(r.matrix().counts(), r.numImages())).iterator();
        }
    }

    /** The split from one index on, as a dataset of its own. */
    record Slice(SegDataset all, int from) {
        SegDataset dataset() {
            List<SegDataset.Sample> s = new ArrayList<>();
            for (int i = from; i < all.size(); i++) {
                s.add(all.sample(i));
            }
            return new SegDataset(all.name(), s, all.spec(), all.skipBad());
        }
    }
}
