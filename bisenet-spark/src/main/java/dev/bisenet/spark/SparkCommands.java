package dev.bisenet.spark;

import dev.bisenet.cli.SparkJobs;
import dev.bisenet.eval.EvalReport;
import dev.bisenet.eval.Evaluator;
import dev.bisenet.eval.Mode;
import dev.bisenet.infer.ModelLoader;
import dev.bisenet.util.AtomicFiles;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code predict --spark} and {@code eval --spark}, found by the commands through
 * {@link java.util.ServiceLoader}. The driver opens the model once first: a user's mistake (a
 * missing checkpoint, a wrong preset) gets the usual one line and exit code 2 before any job
 * starts, and with a local master the executors share that model rather than load it again.
 */
public final class SparkCommands implements SparkJobs {

    @Override
    public int predict(PredictJob job, PrintStream out) throws Exception {
        long t0 = System.nanoTime();
        try (SparkSession spark = SparkJobSupport.session(job.master(), "bisenet predict")) {
            double startSecs = (System.nanoTime() - t0) / 1e9;
            int threads = SparkJobSupport.engineThreads(spark, job.threads());
            ModelLoader.Options options = job.model().loaderOptions(threads);
            ExecutorModels.quietEngineThreads(); // with a local master, the driver's model is the executors'.
            ShippedModel model = ShippedModel.of(options, threads);
            // checks the model before any task runs; with a local master this JVM is the executor and uses it
            long tm = System.nanoTime();
            ExecutorModels.put(model, ModelLoader.open(options, out));
            out.printf(Locale.ROOT, "spark: session started in %.1f s, model opened in %.1f s%n", startSecs,
                    (System.nanoTime() - tm) / 1e9);
            SparkPredict.Summary sum;
            try {
                sum = SparkPredict.run(spark, job, model, options.checkpoint(), out);
            } finally {
                ExecutorModels.release(model);
            }
            for (Row r : sum.errors()) {
                System.err.println("error: " + r.getString(1));
            }
            // the job's own time: listing, tasks, table; Spark's start and the driver's model open are printed above
            out.printf(Locale.ROOT, "%d images written, %d failed, %.2f img/s (%.1f s) to %s; table %s/%s%n", sum.written(),
                    sum.failed(), sum.written() / Math.max(sum.seconds(), 1e-9), sum.seconds(), job.output(), job.output(),
                    SparkPredict.TABLE);
            if (sum.failed() > 0) {
                System.err.printf("%d of %d images failed; the others were written to %s%n", sum.failed(),
                        sum.failed() + sum.written(), job.output());
                return 1;
            }
            return 0;
        }
    }

    @Override
    public int eval(EvalJob job, PrintStream out) throws Exception {
        try (SparkSession spark = SparkJobSupport.session(job.master(), "bisenet eval")) {
            int threads = SparkJobSupport.engineThreads(spark, job.threads());
            ModelLoader.Options options = job.model().loaderOptions(threads);
            ExecutorModels.quietEngineThreads(); // with a local master, the driver's model is the executors'.
            ShippedModel model = ShippedModel.of(options, threads);
            ModelLoader.Loaded opened = ModelLoader.open(options, out);
            int numClasses = opened.backend().numClasses();
            // with a local master this JVM is the executor: it uses the model opened here
            ExecutorModels.put(model, opened);
            Broadcast<ShippedModel> shipped = SparkJobSupport.broadcast(spark, model);
            try {
                SparkEval.DataRef data = SparkEval.dataRef(job, opened.info(), numClasses);
                var ds = data.open();
                int n = job.limit() != null ? Math.min(job.limit(), ds.size()) : ds.size();
                List<String> jsons = new ArrayList<>();
                StringBuilder csv = new StringBuilder();
                for (String m : job.modes()) {
                    Mode mode = Mode.parse(m);
                    SparkEval.Protocol protocol = new SparkEval.Protocol(mode.name(), job.scale(), job.crop()[0], job.crop()[1]);
                    out.printf(Locale.ROOT, "%s, %s split, %d images: %s%s (spark: %s)%n", ds.name(), job.split(), n,
                            mode.description(), job.scale() != 1
                                    ? String.format(Locale.ROOT, ", network at %.3g x size", job.scale()) : "",
                            spark.sparkContext().master());
                    long t0 = System.nanoTime();
                    Evaluator.Result result = SparkEval.run(spark, shipped, data, n, protocol, numClasses);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    String checkpoint = opened.file() != null ? opened.file().toString() : "(random)";
                    EvalReport report = EvalReport.of(opened.info().classNames(), result, protocol.options(), job.split(),
                            checkpoint);
                    out.println(report.toTable());
                    out.printf(Locale.ROOT, "time: %.1f s, %.0f ms per image%n%n", secs, 1000 * secs / Math.max(1, result.numImages()));
                    jsons.add(report.toJson());
                    csv.append(report.toCsv());
                }
                if (job.json() != null) {
                    String body = jsons.size() == 1 ? jsons.get(0) : "[" + String.join(",\n", jsons) + "]";
                    AtomicFiles.write(job.json(), body.getBytes(StandardCharsets.UTF_8));
                }
                if (job.csv() != null) {
                    AtomicFiles.write(job.csv(), csv.toString().getBytes(StandardCharsets.UTF_8));
                }
            } finally {
                shipped.destroy();
                ExecutorModels.release(model);
            }
        }
        return 0;
    }

}
