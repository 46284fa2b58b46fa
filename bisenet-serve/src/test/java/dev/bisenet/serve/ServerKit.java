package dev.bisenet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** A server on 127.0.0.1 with an ephemeral port, and a JDK HttpClient to talk to it. */
final class ServerKit {

    /** The shipped CamVid model (in the repository, 21 MB): real weights, 11 classes. */
    static final Path MODEL = Path.of("..", "models", "bisenetv2_camvid.pth");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ServerKit() {}

    /** Starts {@code serve} in this JVM with the shipped model, --port 0 and the given flags. */
    static SegmentServer start(String... flags) {
        if (!Files.isRegularFile(MODEL)) {
            throw new IllegalStateException(MODEL.toAbsolutePath() + " is missing: the shipped model is part of the repository");
        }
        List<String> args = new ArrayList<>(List.of("--checkpoint", MODEL.toString(), "--preset", "camvid",
                "--host", "127.0.0.1", "--port", "0"));
        args.addAll(List.of(flags));
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return cmd.start(new PrintStream(OutputStream.nullOutputStream()), new PrintStream(OutputStream.nullOutputStream()));
    }

    static URI uri(SegmentServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    static HttpResponse<byte[]> get(SegmentServer s, String path, String... headers) {
        return send(HttpRequest.newBuilder(uri(s, path)).GET(), headers);
    }

    static HttpResponse<byte[]> post(SegmentServer s, String path, byte[] body, String... headers) {
        return send(HttpRequest.newBuilder(uri(s, path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)), headers);
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder b, String... headers) {
        b.timeout(Duration.ofSeconds(120));
        if (headers.length > 0) b.headers(headers);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }

    /** A sample value of the Prometheus text format, e.g. {@code bisenet_batch_size_count}; 0 when absent. */
    static double metric(SegmentServer s, String nameAndLabels) {
        String text = new String(get(s, "/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
