package dev.bisenet.serve;

import static dev.bisenet.serve.ServerKit.get;
import static dev.bisenet.serve.ServerKit.json;
import static dev.bisenet.serve.ServerKit.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flood beyond capacity (only 503s, with Retry-After), and the API key. */
class OverloadAndAuthTest {

    @TempDir
    Path dir;

    @Test
    void aFloodBeyondCapacityGetsOnly503sWithRetryAfterAndTheServerRecovers() throws Exception {
        // capacity: 2 waiting + 1 running; 24 requests at once on 2 cores far exceed it
        try (SegmentServer server = ServerKit.start("--max-batch", "1", "--batch-delay-ms", "0", "--queue", "2")) {
            byte[] image = TestImages.png(360, 480, 5);
            List<CompletableFuture<HttpResponse<byte[]>>> flood = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                flood.add(ServerKit.HTTP.sendAsync(HttpRequest.newBuilder(ServerKit.uri(server, "/v1/segment"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
            TreeMap<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<HttpResponse<byte[]>> f : flood) {
                HttpResponse<byte[]> r = f.get(180, TimeUnit.SECONDS);
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() == 503) {
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), "503 says when to retry");
                    assertTrue(json(r).get("error").asText().contains("busy"), json(r).toString());
                }
            }
            assertEquals(List.of(200, 503), new ArrayList<>(statuses.keySet()), "only 200 and 503: " + statuses);
            assertTrue(statuses.get(200) >= 3, "those within capacity were served: " + statuses);
            assertEquals(0.0, ServerKit.metric(server, "bisenet_queue_depth"));
            assertEquals(200, get(server, "/v2/health/ready").statusCode());
            assertEquals(200, post(server, "/v1/segment", image).statusCode(), "serves again once the flood is over");
        }
    }

    @Test
    void withAnApiKeyFileEveryEndpointButHealthAndTheDemoFilesNeedsTheKey() throws Exception {
        String key = "k3y-0123456789abcdef-0123456789abcdef";
        Path file = dir.resolve("key.txt");
        Files.writeString(file, key + "\n");
        try (SegmentServer server = ServerKit.start("--api-key-file", file.toString())) {
            String model = "/v2/models/bisenetv2_camvid";
            byte[] png = TestImages.png(32, 48, 1);
            for (String open : List.of("/", "/demo.js", "/demo.css", "/v2/health/live", "/v2/health/ready")) {
                assertEquals(200, get(server, open).statusCode(), open + " needs no key");
            }
            List<HttpResponse<byte[]>> refused = List.of(get(server, "/v2"), get(server, model), get(server, model + "/ready"),
                    get(server, "/metrics"), post(server, "/v1/segment", png), post(server, model + "/infer", new byte[0]),
                    post(server, "/v1/segment", new byte[8 << 20]), // refused before its body is read: drained, not reset
                    get(server, "/v2", "Authorization", "Bearer " + key.substring(0, key.length() - 1)),
                    get(server, "/v2", "Authorization", "Bearer " + key + "x"),
                    get(server, "/v2", "Authorization", "Basic " + key),
                    get(server, "/v2", "Authorization", "Bearer "));
            for (HttpResponse<byte[]> r : refused) {
                assertEquals(401, r.statusCode(), r.uri() + " " + r.request().headers().map());
                assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
                assertTrue(json(r).get("error").asText().contains("Authorization: Bearer"), json(r).toString());
            }
            String[] auth = {"Authorization", "Bearer " + key};
            assertEquals(200, get(server, "/v2", auth).statusCode());
            assertEquals(200, get(server, model, auth).statusCode());
            assertEquals(200, get(server, "/metrics", auth).statusCode());
            HttpResponse<byte[]> seg = post(server, "/v1/segment", png, auth);
            assertEquals(200, seg.statusCode());
            assertEquals("image/png", seg.headers().firstValue("Content-Type").orElse(""));
            assertEquals(404, get(server, "/v2/models/other", auth).statusCode(), "past auth, the usual answers");
        }
    }
}
