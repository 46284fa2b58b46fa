package dev.bisenet.serve;

import static dev.bisenet.serve.ServerKit.JSON;
import static dev.bisenet.serve.ServerKit.get;
import static dev.bisenet.serve.ServerKit.json;
import static dev.bisenet.serve.ServerKit.metric;
import static dev.bisenet.serve.ServerKit.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bisenet.cli.Main;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.image.Rgb;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint of one running server (shipped CamVid model, ONNX Runtime), over real HTTP. */
class ServerTest {

    static SegmentServer server;
    static final String MODEL = "bisenetv2_camvid";
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        // A 100 ms batch delay makes the concurrent test's batches certain on a busy machine;
        // a 1 MB body limit lets the oversize test stay small.
        server = ServerKit.start("--max-batch", "8", "--batch-delay-ms", "100", "--queue", "32", "--max-body-mb", "1");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static byte[] sample() throws Exception {
        Path camvid = TestImages.camvidSample();
        return camvid != null ? Files.readAllBytes(camvid) : TestImages.png(180, 240, 42);
    }

    @Test
    void healthAndServerMetadata() {
        HttpResponse<byte[]> live = get(server, "/v2/health/live");
        assertEquals(200, live.statusCode());
        assertEquals(0, live.body().length, "the protocol's health answers are the status code alone");
        assertEquals(200, get(server, "/v2/health/ready").statusCode());
        JsonNode meta = json(get(server, "/v2"));
        assertEquals(Set.of("name", "version", "extensions"), fields(meta));
        assertEquals("bisenet", meta.get("name").asText());
        assertTrue(meta.get("version").isTextual());
        assertTrue(meta.get("extensions").isArray());
    }

    @Test
    void modelMetadataFollowsTheProtocolSchema() {
        for (String path : List.of("/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/1")) {
            HttpResponse<byte[]> r = get(server, path);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonNode m = json(r);
            assertEquals(Set.of("name", "versions", "platform", "inputs", "outputs"), fields(m));
            assertEquals(MODEL, m.get("name").asText());
            assertEquals("[\"1\"]", m.get("versions").toString());
            assertEquals("onnxruntime_onnx", m.get("platform").asText());
            assertEquals("[{\"name\":\"image\",\"datatype\":\"UINT8\",\"shape\":[-1,-1,3]},"
                    + "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,-1,-1]}]", m.get("inputs").toString());
            assertEquals("[{\"name\":\"labels\",\"datatype\":\"UINT8\",\"shape\":[1,-1,-1]},"
                    + "{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[1,11,-1,-1]}]", m.get("outputs").toString());
        }
        assertEquals(200, get(server, "/v2/models/" + MODEL + "/ready").statusCode());
        assertEquals(200, get(server, "/v2/models/" + MODEL + "/versions/1/ready").statusCode());
    }

    @Test
    void unknownModelsVersionsAndPathsAre404WithAnError() {
        for (HttpResponse<byte[]> r : List.of(get(server, "/v2/models/resnet50"), get(server, "/v2/models/resnet50/ready"),
                post(server, "/v2/models/resnet50/infer", "{}".getBytes(StandardCharsets.UTF_8)),
                get(server, "/v2/models/" + MODEL + "/versions/7"))) {
            assertEquals(404, r.statusCode());
            JsonNode e = json(r);
            assertEquals(Set.of("error"), fields(e));
            assertTrue(e.get("error").asText().contains(MODEL), e.toString());
        }
        HttpResponse<byte[]> nowhere = get(server, "/v3/nowhere");
        assertEquals(404, nowhere.statusCode());
        assertTrue(json(nowhere).get("error").asText().contains("/v3/nowhere"));
    }

    @Test
    void segmentAnswersTheBytesPredictWrites() throws Exception {
        byte[] image = sample();
        Path in = dir.resolve("street.png");
        Files.write(in, image);
        Path out = dir.resolve("predicted");
        PrintStream old = System.out;
        int code;
        System.setOut(new PrintStream(new ByteArrayOutputStream()));
        try {
            code = Main.run("predict", "--checkpoint", ServerKit.MODEL.toString(), "--preset", "camvid",
                    "--input", in.toString(), "--output", out.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        HttpResponse<byte[]> labels = post(server, "/v1/segment", image);
        assertEquals(200, labels.statusCode());
        assertEquals("image/png", labels.headers().firstValue("Content-Type").orElse(""));
        assertEquals("1", labels.headers().firstValue("X-Batch-Size").orElse(""), "served alone");
        assertArrayEquals(Files.readAllBytes(out.resolve("street.png")), labels.body(), "labels PNG = predict's <stem>.png");
        assertArrayEquals(labels.body(), post(server, "/v1/segment?output=labels", image).body());
        assertArrayEquals(Files.readAllBytes(out.resolve("street_color.png")),
                post(server, "/v1/segment?output=color", image).body());
        assertArrayEquals(Files.readAllBytes(out.resolve("street_overlay.png")),
                post(server, "/v1/segment?output=overlay", image).body());
    }

    @Test
    void jsonOutputCountsPixelsPerClass() throws Exception {
        byte[] image = sample();
        Rgb rgb = RequestImages.decode(image, Long.MAX_VALUE);
        HttpResponse<byte[]> r = post(server, "/v1/segment?output=json&overlay=true", image);
        assertEquals(200, r.statusCode());
        JsonNode j = json(r);
        assertEquals(rgb.height(), j.get("height").asInt());
        assertEquals(rgb.width(), j.get("width").asInt());
        assertEquals(11, j.get("classes").size());
        assertEquals("Sky", j.get("classes").get(0).asText());
        assertEquals(11, j.get("palette").size());
        long sum = 0;
        for (JsonNode n : j.get("pixels")) sum += n.asLong();
        assertEquals((long) rgb.height() * rgb.width(), sum);
        // the counts are those of the labels PNG
        int[] counts = new int[11];
        BufferedImage labels = ImageIO.read(new ByteArrayInputStream(post(server, "/v1/segment", image).body()));
        for (int y = 0; y < labels.getHeight(); y++) {
            for (int x = 0; x < labels.getWidth(); x++) counts[labels.getRaster().getSample(x, y, 0)]++;
        }
        for (int c = 0; c < 11; c++) assertEquals(counts[c], j.get("pixels").get(c).asInt(), "class " + c);
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(j.get("overlay_png").asText())));
        assertEquals(rgb.width(), overlay.getWidth());
        assertFalse(json(post(server, "/v1/segment?output=json", image)).has("overlay_png"));
        HttpResponse<byte[]> bad = post(server, "/v1/segment?output=jpeg", image);
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).get("error").asText().contains("labels (default), color, overlay or json"));
    }

    /**
     * An error found before the body is read (a bad query, an unknown model or path) still
     * reaches a client that is writing a large body. Answering and closing with unread bytes in
     * the socket makes the kernel reset the connection, and the client then sees "header parser
     * received no bytes" instead of the 4xx (CI saw it once, on output=jpeg with the sample).
     */
    @Test
    void errorsFoundBeforeTheBodyStillReachAClientThatIsSendingIt() {
        byte[] body = new byte[1000 << 10]; // just under the 1 MB limit: more than one write of the client
        new java.util.Random(5).nextBytes(body);
        for (int i = 0; i < 10; i++) {
            for (String path : List.of("/v1/segment?output=jpeg", "/v1/segment?alpha=7",
                    "/v2/models/resnet50/infer", "/v3/nowhere")) {
                HttpResponse<byte[]> r = post(server, path, body);
                assertEquals(path.startsWith("/v1") ? 400 : 404, r.statusCode(), path);
                assertTrue(json(r).has("error"), path);
            }
        }
    }

    @Test
    void v2InferOfAnImageGivesTheLabelsOfSegment() throws Exception {
        BufferedImage scene = TestImages.scene(48, 80, 7);
        byte[] png = TestImages.encode(scene, "png");
        Rgb rgb = RequestImages.decode(png, Long.MAX_VALUE);
        int[] expected = labelsOf(post(server, "/v1/segment", png).body());

        for (boolean batchDim : new boolean[] {false, true}) {
            ObjectNode req = imageRequest(rgb, batchDim);
            req.put("id", "req-42");
            HttpResponse<byte[]> r = post(server, "/v2/models/" + MODEL + "/infer", JSON.writeValueAsBytes(req),
                    "Content-Type", "application/json");
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            JsonNode j = json(r);
            assertEquals(Set.of("model_name", "model_version", "id", "outputs"), fields(j));
            assertEquals(MODEL, j.get("model_name").asText());
            assertEquals("1", j.get("model_version").asText());
            assertEquals("req-42", j.get("id").asText());
            assertEquals(1, j.get("outputs").size(), "labels only, when outputs are not named");
            JsonNode labels = j.get("outputs").get(0);
            assertEquals(Set.of("name", "datatype", "shape", "data"), fields(labels));
            assertEquals("labels", labels.get("name").asText());
            assertEquals("UINT8", labels.get("datatype").asText());
            assertEquals("[1,48,80]", labels.get("shape").toString());
            assertArrayEquals(expected, ints(labels.get("data")));
        }
    }

    @Test
    void v2InferGivesLogitsWhenAskedAndTakesANormalisedTensor() throws Exception {
        BufferedImage scene = TestImages.scene(40, 50, 8);
        Rgb rgb = RequestImages.decode(TestImages.encode(scene, "png"), Long.MAX_VALUE);
        int[] expected = labelsOf(post(server, "/v1/segment", TestImages.encode(scene, "png")).body());

        ObjectNode req = imageRequest(rgb, false);
        ArrayNode outs = req.putArray("outputs");
        outs.addObject().put("name", "logits");
        outs.addObject().put("name", "labels");
        JsonNode j = json(post(server, "/v2/models/" + MODEL + "/infer", JSON.writeValueAsBytes(req)));
        JsonNode logits = j.get("outputs").get(0);
        assertEquals("logits", logits.get("name").asText());
        assertEquals("FP32", logits.get("datatype").asText());
        assertEquals("[1,11,40,50]", logits.get("shape").toString());
        float[] l = new float[11 * 40 * 50];
        for (int i = 0; i < l.length; i++) l[i] = (float) logits.get("data").get(i).asDouble();
        assertEquals(l.length, logits.get("data").size());
        assertArrayEquals(ModelWorker.argmax(l, 11, 40 * 50), ints(j.get("outputs").get(1).get("data")),
                "labels are the argmax of the logits");
        int agree = 0;
        int[] fromLogits = ModelWorker.argmax(l, 11, 40 * 50);
        for (int i = 0; i < expected.length; i++) if (fromLogits[i] == expected[i]) agree++;
        assertTrue(agree >= expected.length * 999 / 1000, "argmax of logits agrees with the engine's labels: " + agree);

        // The same image normalised by hand (RGB/255, then (x - mean) / std with the model's own numbers)
        ModelInfo info = ModelInfo.generic(11);
        JsonNode sidecar = JSON.readTree(ServerKit.MODEL.resolveSibling("bisenetv2_camvid.json").toFile());
        float[] mean = floats(sidecar.get("mean"), info.mean());
        float[] std = floats(sidecar.get("std"), info.std());
        ObjectNode t = JSON.createObjectNode();
        ObjectNode in = t.putArray("inputs").addObject();
        in.put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(1).add(3).add(40).add(50);
        ArrayNode data = in.putArray("data");
        for (int c = 0; c < 3; c++) {
            float scale = 1f / (255f * std[c]), shift = -mean[c] / std[c];
            for (int i = 0; i < 40 * 50; i++) data.add((rgb.pixels()[3 * i + c] & 0xff) * scale + shift);
        }
        HttpResponse<byte[]> r = post(server, "/v2/models/" + MODEL + "/versions/1/infer", JSON.writeValueAsBytes(t));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertArrayEquals(expected, ints(json(r).get("outputs").get(0).get("data")), "the tensor path pads and crops as predict");
    }

    @Test
    void concurrentRequestsAreBatchedAndBatchedAnswersEqualUnbatchedOnes() throws Exception {
        int n = 8;
        List<byte[]> images = new ArrayList<>();
        List<byte[]> alone = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            images.add(TestImages.png(96, 128, 100 + i));
        }
        for (byte[] img : images) { // one at a time: each is a batch of one
            HttpResponse<byte[]> r = post(server, "/v1/segment", img);
            assertEquals("1", r.headers().firstValue("X-Batch-Size").orElse(""));
            alone.add(r.body());
        }
        double batchesBefore = metric(server, "bisenet_batch_size_count");
        double imagesBefore = metric(server, "bisenet_batch_size_sum");
        List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (byte[] img : images) {
            answers.add(ServerKit.HTTP.sendAsync(HttpRequest.newBuilder(ServerKit.uri(server, "/v1/segment"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(img)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        int largest = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = answers.get(i).get(120, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            largest = Math.max(largest, Integer.parseInt(r.headers().firstValue("X-Batch-Size").orElse("0")));
            assertArrayEquals(alone.get(i), r.body(), "image " + i + ": the batched answer is the unbatched one");
        }
        double batches = metric(server, "bisenet_batch_size_count") - batchesBefore;
        double imgs = metric(server, "bisenet_batch_size_sum") - imagesBefore;
        assertEquals(n, imgs, "every image went through the network once");
        assertTrue(batches < n, n + " concurrent requests ran in " + batches + " batches");
        assertTrue(largest > 1, "some request was answered from a batch of more than one");
        assertTrue(metric(server, "bisenet_batch_size_bucket{le=\"1.0\"}") < metric(server, "bisenet_batch_size_count"),
                "the batch-size histogram shows batches above one");
    }

    /**
     * A body refused as too large is drained before the 413, so a client still writing it reads
     * the answer instead of a connection reset: 3 MB against --max-body-mb 1, declared and chunked,
     * ten times each. The reset is a race: one 1.5 MB body met it in a CI run before the drain
     * covered 413s, and this test passed here without the drain too, so it guards the drained
     * path (both kinds of refusal, answered every time) rather than forcing the race.
     */
    @Test
    void aBodyOverTheLimitGetsIts413EveryTime() {
        byte[] big = TestImages.randomBytes(3_000_000, 13);
        for (int i = 0; i < 10; i++) {
            HttpResponse<byte[]> declared = post(server, "/v1/segment", big);
            HttpResponse<byte[]> chunked = ServerKit.send(HttpRequest.newBuilder(ServerKit.uri(server, "/v1/segment"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
            for (HttpResponse<byte[]> r : List.of(declared, chunked)) {
                assertEquals(413, r.statusCode(), "try " + i + ": " + new String(r.body(), StandardCharsets.UTF_8));
                assertTrue(json(r).get("error").asText().contains("--max-body-mb"), "try " + i);
            }
        }
        assertEquals(200, get(server, "/v2/health/ready").statusCode());
    }

    @Test
    void hostileInputGets4xxWithAnErrorAndTheServerStaysReady() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.scene(120, 160, 9), "jpeg");
        byte[] png = TestImages.png(120, 160, 9);
        String infer = "/v2/models/" + MODEL + "/infer";
        record Case(String what, HttpResponse<byte[]> response, int status, String says) {}
        List<Case> cases = List.of(
                new Case("a 100 KB PNG claiming 60000x60000", post(server, "/v1/segment",
                        TestImages.pngClaiming(60000, 60000, 100_000)), 413, "60000x60000"),
                new Case("a truncated JPEG", post(server, "/v1/segment", Arrays.copyOf(jpeg, jpeg.length / 2)), 400, "truncated"),
                new Case("a truncated PNG", post(server, "/v1/segment", Arrays.copyOf(png, png.length / 2)), 400, "truncated"),
                new Case("random bytes", post(server, "/v1/segment", TestImages.randomBytes(50_000, 10)), 415, "not an image"),
                new Case("an empty body", post(server, "/v1/segment", new byte[0]), 400, "empty"),
                new Case("a body over --max-body-mb", post(server, "/v1/segment", TestImages.randomBytes(1_500_000, 11)),
                        413, "--max-body-mb"),
                new Case("a chunked body over --max-body-mb", ServerKit.send(HttpRequest.newBuilder(ServerKit.uri(server, "/v1/segment"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[1_500_000])))),
                        413, "--max-body-mb"),
                new Case("a tensor of the wrong shape", post(server, infer, ("{\"inputs\":[{\"name\":\"image\",\"shape\":[2,2],"
                        + "\"datatype\":\"UINT8\",\"data\":[1,2,3,4]}]}").getBytes(StandardCharsets.UTF_8)), 400, "[H, W, 3]"),
                new Case("a tensor of the wrong datatype", post(server, infer, ("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,3],"
                        + "\"datatype\":\"FP64\",\"data\":[1,2,3]}]}").getBytes(StandardCharsets.UTF_8)), 400, "UINT8"),
                new Case("data that do not fill the shape", post(server, infer, ("{\"inputs\":[{\"name\":\"image\",\"shape\":[4,4,3],"
                        + "\"datatype\":\"UINT8\",\"data\":[1,2,3]}]}").getBytes(StandardCharsets.UTF_8)), 400, "holds 3 values"),
                new Case("a shape claiming 60000x60000", post(server, infer, ("{\"inputs\":[{\"name\":\"image\",\"shape\":[60000,60000,3],"
                        + "\"datatype\":\"UINT8\",\"data\":[1,2,3]}]}").getBytes(StandardCharsets.UTF_8)), 413, "--max-pixels"),
                new Case("a body that is not JSON", post(server, infer, TestImages.randomBytes(1000, 12)), 400, "JSON"),
                new Case("an unknown model", post(server, "/v2/models/nope/infer", "{}".getBytes(StandardCharsets.UTF_8)), 404,
                        "unknown model"));
        for (Case c : cases) {
            assertEquals(c.status, c.response.statusCode(), c.what + ": " + new String(c.response.body(), StandardCharsets.UTF_8));
            JsonNode e = json(c.response);
            assertEquals(Set.of("error"), fields(e), c.what);
            assertTrue(e.get("error").asText().contains(c.says), c.what + ": " + e);
            assertEquals(200, get(server, "/v2/health/ready").statusCode(), "ready after " + c.what);
        }
        assertEquals(200, post(server, "/v1/segment", png).statusCode(), "and it still segments");
    }

    @Test
    void metricsCountRequestsByEndpointAndStatus() {
        double ok = metric(server, "bisenet_requests_total{endpoint=\"/v2/models/{name}\",status=\"200\"}");
        double missing = metric(server, "bisenet_requests_total{endpoint=\"/v2/models/{name}\",status=\"404\"}");
        get(server, "/v2/models/" + MODEL);
        get(server, "/v2/models/" + MODEL);
        get(server, "/v2/models/other");
        assertEquals(ok + 2, metric(server, "bisenet_requests_total{endpoint=\"/v2/models/{name}\",status=\"200\"}"));
        assertEquals(missing + 1, metric(server, "bisenet_requests_total{endpoint=\"/v2/models/{name}\",status=\"404\"}"));
        HttpResponse<byte[]> m = get(server, "/metrics");
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = new String(m.body(), StandardCharsets.UTF_8);
        for (String name : List.of("# TYPE bisenet_requests_total counter", "# TYPE bisenet_request_duration_seconds histogram",
                "# TYPE bisenet_batch_size histogram", "# TYPE bisenet_queue_depth gauge", "bisenet_queue_depth 0")) {
            assertTrue(text.contains(name), name + " in\n" + text);
        }
        assertTrue(metric(server, "bisenet_request_duration_seconds_count{endpoint=\"/v2/models/{name}\"}") >= 3);
    }

    @Test
    void theDemoPageIsServedWholeWithoutOutsideReferences() {
        HttpResponse<byte[]> page = get(server, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<script src=\"demo.js\">"));
        for (String file : List.of("/demo.js", "/demo.css")) {
            HttpResponse<byte[]> r = get(server, file);
            assertEquals(200, r.statusCode(), file);
            assertFalse(new String(r.body(), StandardCharsets.UTF_8).contains("://"), file + " loads nothing from elsewhere");
        }
        assertFalse(html.contains("://"), "no CDN");
    }

    // ---- helpers ----

    static ObjectNode imageRequest(Rgb rgb, boolean batchDim) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode in = req.putArray("inputs").addObject();
        in.put("name", "image");
        ArrayNode shape = in.putArray("shape");
        if (batchDim) shape.add(1);
        shape.add(rgb.height()).add(rgb.width()).add(3);
        in.put("datatype", "UINT8");
        ArrayNode data = in.putArray("data");
        for (byte b : rgb.pixels()) data.add(b & 0xff);
        return req;
    }

    static int[] labelsOf(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int[] out = new int[img.getWidth() * img.getHeight()];
        img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, out);
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    static float[] floats(JsonNode array, float[] fallback) {
        if (array == null) return fallback;
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }

    static Set<String> fields(JsonNode n) {
        Set<String> s = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) s.add(it.next());
        return s;
    }
}
