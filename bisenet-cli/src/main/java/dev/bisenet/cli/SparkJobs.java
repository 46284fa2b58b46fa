package dev.bisenet.cli;

import dev.bisenet.infer.PredictOutput;
import dev.bisenet.util.UserException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * {@code predict --spark} and {@code eval --spark}: the commands parse and check their flags as
 * usual, then hand them here. The implementation lives in bisenet-spark, found through
 * {@link ServiceLoader}, so Spark is on the classpath only when {@code ./bisenet} sees
 * {@code --spark} (the launcher adds the module then).
 */
public interface SparkJobs {

    /**
     * The flags of {@code predict --spark}.
     *
     * @param threads engine threads per executor; 0: the executor's cores
     * @param input a file, a folder, or a Hadoop file system URI of either
     * @param output a folder or a Hadoop file system URI, writable by every executor
     */
    record PredictJob(String master, ModelOptions model, int threads, String input, String output,
            Set<PredictOutput> write, float alpha) {}

    /**
     * The flags of {@code eval --spark}.
     *
     * @param crop the ssc crop (height, width), or null for the preset's
     */
    record EvalJob(String master, ModelOptions model, int threads, String data, String split,
            List<String> modes, double scale, int[] crop, String list, Integer limit, boolean skipBad,
            Path json, Path csv) {}

    /** Runs predict as a Spark job; returns the exit code. */
    int predict(PredictJob job, PrintStream out) throws Exception;

    /** Runs eval as a Spark job; returns the exit code. */
    int eval(EvalJob job, PrintStream out) throws Exception;

    /** The implementation on the classpath, or a one-line error saying how to get it. */
    static SparkJobs find() {
        return ServiceLoader.load(SparkJobs.class).findFirst().orElseThrow(() -> new UserException(
                "--spark needs the bisenet-spark module on the classpath: run through ./bisenet (it adds the module"
                        + " when it sees --spark) or spark-submit bisenet-spark's jar"));
    }
}
