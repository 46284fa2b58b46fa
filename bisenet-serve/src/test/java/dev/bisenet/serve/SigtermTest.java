package dev.bisenet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM with requests in flight: they are answered, then the process exits 0. */
class SigtermTest {

    @TempDir
    Path dir;

    @Test
    void sigtermFinishesTheRequestsInFlightAndExits0() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Dai.djl.offline=true", "-Xss4m",
                "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(),
                "--checkpoint", ServerKit.MODEL.toString(), "--preset", "camvid", "--host", "127.0.0.1", "--port", "0",
                "--max-batch", "2", "--batch-delay-ms", "0");
        pb.environment().put("MALLOC_ARENA_MAX", "1");
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process server = pb.start();
        try {
            String url = firstLine(server);
            Matcher m = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)").matcher(url);
            assertTrue(m.find(), "the start line names the URL: " + url);
            URI base = URI.create(m.group(1));
            assertTrue(url.contains("bisenetv2_camvid") && url.contains("onnx"), "and the model and backend: " + url);

            byte[] image = TestImages.png(360, 480, 3);
            List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                inFlight.add(ServerKit.HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/segment"))
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
            // wait (bounded) until the server holds them: some waiting in its queue
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (queueDepth(base) < 1 && System.nanoTime() < deadline && !inFlight.get(5).isDone()) {
                Thread.sleep(5);
            }
            long answeredBefore = inFlight.stream().filter(CompletableFuture::isDone).count();
            server.destroy(); // SIGTERM
            assertTrue(answeredBefore < inFlight.size(), "SIGTERM came while requests were in flight");
            for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
                HttpResponse<byte[]> r = f.get(120, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
            }
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server exits after SIGTERM");
            assertEquals(0, server.exitValue(), "exit code 0 after a graceful stop; stderr:\n"
                    + Files.readString(dir.resolve("stderr.txt")));
            assertThrows(IOException.class, () -> ServerKit.HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/health/live"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()), "nothing listens any more");
        } finally {
            server.destroyForcibly();
        }
    }

    private static double queueDepth(URI base) {
        try {
            String text = ServerKit.HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^bisenet_queue_depth (\\S+)$").matcher(text);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The server's first line on stdout, within 120 s (model loading). */
    private static String firstLine(Process p) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<String> line = ex.submit(() -> new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)).readLine());
            String l = line.get(120, TimeUnit.SECONDS);
            if (l == null) throw new AssertionError("the server printed nothing and exited with " + p.waitFor());
            return l;
        } finally {
            ex.shutdownNow();
        }
    }
}
