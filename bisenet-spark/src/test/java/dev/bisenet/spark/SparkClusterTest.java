package dev.bisenet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors in other JVMs: Spark's standalone master and a worker run as child processes on
 * 127.0.0.1, the worker starting two one-core executors, each its own JVM. Their SPARK_HOME is
 * assembled from this module's classpath (no Spark distribution is needed). This proves that
 * the job, the shipped model and the Hadoop configuration serialise, and that executors load
 * the model from the shipped bytes.
 */
class SparkClusterTest {

    @TempDir
    static Path dir;
    private static final List<Process> CHILDREN = new ArrayList<>();

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void executorsInSeparateJvmsWriteTheFilesOfPredict() throws Exception {
        Path checkpoint = Commands.checkpoint(dir);
        Path images = Commands.images(dir.resolve("in"), 8, true);
        Commands.Run single = Commands.run("predict", "--checkpoint", checkpoint.toString(), "--preset", "camvid",
                "--input", images.toString(), "--output", dir.resolve("single").toString(), "--write", "labels");
        assertEquals(1, single.code(), single.err());

        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        List<String> folders = new ArrayList<>();
        int k = 0;
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                Files.createSymbolicLink(home.resolve("jars").resolve((k++) + "-" + p.getFileName()), p.toAbsolutePath());
            } else if (Files.isDirectory(p)) {
                folders.add(p.toAbsolutePath().toString()); // target/classes, target/test-classes
            }
        }
        int port = freePort();
        String opens = System.getProperty("bisenet.spark.javaOpts", "");
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        java.addAll(List.of(opens.trim().split("\\s+")));
        java.addAll(List.of("-cp", classpath));
        Map<String, String> env = Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.13",
                "SPARK_LOCAL_IP", "127.0.0.1");
        start(java, env, "master.log", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort()));
        Path work = dir.resolve("work");
        start(java, env, "worker.log", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--webui-port",
                String.valueOf(freePort()), "--cores", "2", "--memory", "1400m", "--work-dir", work.toString(),
                "spark://127.0.0.1:" + port);

        Map<String, String> props = Map.of(
                "spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1",
                "spark.executor.extraClassPath", String.join(File.pathSeparator, folders),
                "spark.executor.extraJavaOptions", opens,
                "spark.executor.memory", "512m",
                "spark.executor.cores", "1",
                "spark.cores.max", "2");
        props.forEach(System::setProperty);
        int loadsBefore = ExecutorModels.loads();
        Path out = dir.resolve("cluster-out");
        Commands.Run r;
        try {
            r = Commands.run("predict", "--spark", "spark://127.0.0.1:" + port, "--checkpoint", checkpoint.toString(),
                    "--preset", "camvid", "--input", images.toString(), "--output", out.toString(), "--write", "labels");
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
        assertEquals(1, r.code(), r.out() + r.err() + logs(work));
        assertTrue(r.err().contains("broken.png") && r.out().contains("8 images written, 1 failed"), r.out() + r.err());
        TreeMap<String, byte[]> expected = Commands.files(dir.resolve("single"));
        TreeMap<String, byte[]> written = Commands.files(out);
        assertEquals(expected.keySet(), written.keySet());
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), written.get(e.getKey()), e.getKey());
        }
        assertEquals(loadsBefore, ExecutorModels.loads(), "this JVM (the driver) loaded no shipped model: executors did");
        List<Path> executorLogs;
        try (Stream<Path> s = Files.walk(work)) {
            executorLogs = s.filter(p -> p.getFileName().toString().equals("stderr")).toList();
        }
        assertEquals(2, executorLogs.size(), "two executor JVMs were started: " + executorLogs);
    }

    private static void start(List<String> java, Map<String, String> env, String log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        pb.environment().putAll(env);
        CHILDREN.add(pb.start());
    }

    private static String logs(Path work) throws IOException {
        StringBuilder sb = new StringBuilder("\n--- master/worker/executor logs ---\n");
        for (String f : List.of("master.log", "worker.log")) {
            if (Files.exists(dir.resolve(f))) {
                sb.append(f).append(":\n").append(tail(Files.readString(dir.resolve(f)))).append('\n');
            }
        }
        if (Files.isDirectory(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                    sb.append(p).append(":\n").append(tail(Files.readString(p))).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Process p : CHILDREN) {
            p.descendants().forEach(ProcessHandle::destroy); // executors the worker started
            p.destroy();
        }
        for (Process p : CHILDREN) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
