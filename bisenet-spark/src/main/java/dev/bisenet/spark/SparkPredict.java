package dev.bisenet.spark;

import dev.bisenet.cli.SparkJobs;
import dev.bisenet.infer.PredictOutput;
import dev.bisenet.infer.Segmenter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code predict --spark}: the driver lists the images, executors segment a partition each and
 * write the same files as {@code predict} under {@code --output}, and the per-image rows go to
 * the Parquet table {@code --output/predictions.parquet}.
 */
final class SparkPredict {

    /** The table's folder under --output. */
    static final String TABLE = "predictions.parquet";

    /**
     * Test-only switch (a Spark configuration key): the first attempt of the task that holds the
     * image of this stem fails right after writing that image's files; Spark retries the task.
     */
    static final String FAIL_ONCE = "spark.bisenet.test.failOnceAfter";

    private static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private SparkPredict() {}

    /** How many task attempts the test switch has failed in this JVM. */
    static int injectedFailures() {
        return INJECTED.get();
    }

    /** What a job did. */
    record Summary(long written, long failed, double seconds, List<Row> errors) {}

    static Summary run(SparkSession spark, SparkJobs.PredictJob job, ShippedModel model, java.nio.file.Path checkpoint,
            PrintStream out) {
        long t0 = System.nanoTime();
        HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
        List<String> inputs = files.listImages(job.input());
        files.mkdirs(job.output());
        out.printf(Locale.ROOT, "spark: %s, %d images, model %s (%.1f MB shipped), %d engine threads per executor%n",
                spark.sparkContext().master(), inputs.size(), checkpoint != null ? checkpoint : "(random)",
                model.bytes() / 1e6, model.threads);
        Broadcast<ShippedModel> shipped = SparkJobSupport.broadcast(spark, model);
        String failOnce = spark.sparkContext().getConf().get(FAIL_ONCE, null);
        Partition work = new Partition(shipped, files, job.output(), job.write(), job.alpha(), failOnce);
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(inputs, SparkJobSupport.slices(spark, inputs.size()))
                .mapPartitions(work);
        Dataset<Row> table = spark.createDataFrame(rows, ImageWork.TABLE);
        String tablePath = new org.apache.hadoop.fs.Path(job.output(), TABLE).toString();
        table.write().mode(SaveMode.Overwrite).parquet(tablePath); // the one action: images run here
        Dataset<Row> written = spark.read().parquet(tablePath);
        List<Row> errors = written.where("error IS NOT NULL").select("path", "error").orderBy("path").collectAsList();
        long total = written.count();
        shipped.destroy();
        return new Summary(total - errors.size(), errors.size(), (System.nanoTime() - t0) / 1e9, errors);
    }

    /** One partition: its images one after another, each written as soon as it is done. */
    static final class Partition implements FlatMapFunction<Iterator<String>, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<ShippedModel> model;
        private final HadoopFiles files;
        private final String output;
        private final Set<PredictOutput> write;
        private final float alpha;
        private final String failOnce;

        Partition(Broadcast<ShippedModel> model, HadoopFiles files, String output, Set<PredictOutput> write,
                float alpha, String failOnce) {
            this.model = model;
            this.files = files;
            this.output = output;
            this.write = Set.copyOf(write);
            this.alpha = alpha;
            this.failOnce = failOnce;
        }

        @Override
        public Iterator<Row> call(Iterator<String> uris) {
            Segmenter seg = new ImageWork(model.value()).segmenter();
            TaskContext task = TaskContext.get();
            String attempt = task != null ? task.stageId() + "-" + task.partitionId() + "-" + task.attemptNumber() : "local";
            List<Row> rows = new ArrayList<>();
            while (uris.hasNext()) {
                String uri = uris.next();
                byte[] content;
                try {
                    content = files.read(uri);
                } catch (IOException e) {
                    rows.add(new ImageWork.Outcome(uri, null, null, Map.of(), uri + ": cannot read (" + e.getMessage() + ")").row());
                    continue;
                }
                ImageWork.Outcome o = ImageWork.run(seg, uri, content, write, alpha);
                String stem = HadoopFiles.stem(uri);
                try {
                    for (Map.Entry<PredictOutput, byte[]> e : o.pngs().entrySet()) {
                        files.writeAtomically(output, e.getKey().fileName(stem), e.getValue(), attempt);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the outputs of " + uri + " under " + output, e);
                }
                if (stem.equals(failOnce) && task != null && task.attemptNumber() == 0) {
                    INJECTED.incrementAndGet();
                    throw new IllegalStateException("test switch " + FAIL_ONCE + ": failing the first attempt after " + stem);
                }
                rows.add(o.row());
            }
            return rows.iterator();
        }
    }
}
