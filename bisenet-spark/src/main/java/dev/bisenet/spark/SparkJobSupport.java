package dev.bisenet.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/** Starting a session for a command, and what the commands share about it. */
final class SparkJobSupport {

    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*\\d+)?\\]");

    private SparkJobSupport() {}

    /**
     * The session of a command: {@code master} as given, unless spark-submit has set one already
     * ({@code spark.master} in the JVM's properties), which then wins, as Spark's own rule is.
     */
    static SparkSession session(String master, String appName) {
        SparkSession.Builder b = SparkSession.builder().appName(appName)
                // the driver's UI is not needed by a batch command; leaving it off frees a port
                .config("spark.ui.enabled", System.getProperty("spark.ui.enabled", "false"));
        if (System.getProperty("spark.master") == null) {
            b.master(master);
            if (master.startsWith("local") && System.getProperty("spark.driver.host") == null) {
                // everything runs in this JVM: talk over loopback, never on the machine's network
                b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
            }
        }
        return b.getOrCreate();
    }

    /**
     * Engine threads per executor: the flag when given, else the cores of a local master
     * (local[N]), else {@code spark.executor.cores} when set, else 0 (all of the executor's cores).
     */
    static int engineThreads(SparkSession spark, int flag) {
        if (flag > 0) {
            return flag;
        }
        String master = spark.sparkContext().master();
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            return m.group(1).equals("*") ? 0 : Integer.parseInt(m.group(1));
        }
        if ("local".equals(master)) {
            return 1;
        }
        return spark.sparkContext().getConf().getInt("spark.executor.cores", 0);
    }

    static <T> Broadcast<T> broadcast(SparkSession spark, T value) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(value);
    }

    /** Partitions for {@code n} items: a few per core so that a slow image does not hold up a core. */
    static int slices(SparkSession spark, int n) {
        return Math.max(1, Math.min(n, spark.sparkContext().defaultParallelism() * 4));
    }
}
