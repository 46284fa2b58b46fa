package dev.bisenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.train.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code bisenet train} in the middle of a run: it stops after the step in progress,
 * writes a checkpoint there and exits without a JVM crash (libtorch's exit-time destructors used
 * to meet a step still computing); {@code --resume} continues from that checkpoint.
 */
class TrainSignalTest {

    @TempDir
    Path dir;

    @Test
    void sigtermCheckpointsTheStepInProgressAndExitsCleanly() throws Exception {
        Path root = DatasetLayoutTest.twoImageCamvid(dir.resolve("camvid"));
        Path out = dir.resolve("run");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Dai.djl.offline=true", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(), "--iters", "100000",
                "--batch", "2", "--crop", "64x64", "--head-width", "16", "--eval-every", "0", "--checkpoint-every", "100000");
        pb.environment().put("MALLOC_ARENA_MAX", "1");
        pb.redirectErrorStream(true);
        Path output = dir.resolve("output.txt"); // a file, not a pipe: a pipe's reader races the process's exit
        pb.redirectOutput(output.toFile());
        pb.directory(dir.toFile());
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.readString(output).contains("\niter ") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(output).contains("\niter "), "training started (a progress line):\n"
                    + Files.readString(output));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process exits after SIGTERM:\n" + Files.readString(output));
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(output);
        assertEquals(143, p.exitValue(), "the signal's exit status (128 + 15):\n" + log);
        assertFalse(log.contains("fatal error") || log.contains("SIGSEGV"), "no JVM crash:\n" + log);
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("hs_err")), "no crash report");
        }
        Matcher m = Pattern.compile("stopped on request at iteration (\\d+) of 100000").matcher(log);
        assertTrue(m.find(), log);
        int at = Integer.parseInt(m.group(1));
        assertTrue(at >= 20, "it stopped after the first logged window: " + at);
        assertEquals(List.of(at), new RunFolder(out).completed(), "the only checkpoint is the one written at the stop");

        CliTest.Run resumed = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", String.valueOf(at + 2));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("done: " + (at + 2) + " iterations"), resumed.out());
    }
}
