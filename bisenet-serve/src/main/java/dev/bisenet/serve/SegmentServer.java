package dev.bisenet.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.image.Rgb;
import dev.bisenet.infer.Segmentation;
import dev.bisenet.infer.Segmenter;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Connector;

/**
 * The HTTP side of {@code bisenet serve}: routes, authentication, limits, metrics and shutdown,
 * on Javalin 7.
 *
 * <p>Why Javalin: it is a thin, maintained routing layer over Jetty 12 (the server under it does
 * the HTTP work: keep-alive, chunked bodies, slow clients, graceful connector shutdown), it runs
 * on Java 17, and a handler is a plain lambda that can hand its answer to a
 * {@code CompletableFuture}, so a request waiting for its batch holds no thread. Helidon SE and
 * Vert.x would also do; they bring their own reactive models for nothing this server needs.
 *
 * <p>Memory is bounded however hard clients push: at most {@code queue + maxBatch} inference
 * requests are admitted at once (the rest get 503 with Retry-After, their body read into a small
 * reused buffer and dropped),
 * each body is read up to {@code maxBodyBytes}, and images are refused above {@code maxPixels}
 * from their header. Worst case: about {@code (queue + maxBatch) x (maxBody + 7 x maxPixels)} bytes.
 */
public final class SegmentServer implements AutoCloseable {

    /** The server's settings, checked here so that a bad flag is one clear line. */
    public record Config(String host, int port, int maxBatch, long batchDelayMillis, int queue, long maxPixels,
            long maxBodyBytes, String apiKey) {
        public Config {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0-65535, got " + port);
            if (maxBatch < 1 || maxBatch > 256) throw new IllegalArgumentException("--max-batch must be 1-256, got " + maxBatch);
            if (batchDelayMillis < 0 || batchDelayMillis > 10_000) {
                throw new IllegalArgumentException("--batch-delay-ms must be 0-10000, got " + batchDelayMillis);
            }
            if (queue < 1 || queue > 100_000) throw new IllegalArgumentException("--queue must be 1-100000, got " + queue);
            if (maxPixels < 1 || maxPixels > 1L << 28) {
                throw new IllegalArgumentException("--max-pixels must be 1-" + (1L << 28) + ", got " + maxPixels);
            }
            if (maxBodyBytes < 1 || maxBodyBytes > 1L << 30) {
                throw new IllegalArgumentException("--max-body-mb must be 1-1024");
            }
        }
    }

    static final String VERSION = "1";           // the model's only version, as the v2 paths name it
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory JSON_FACTORY = JSON.getFactory();
    /** Paths that answer without a key: health probes and the demo page's own files. */
    private static final Set<String> OPEN_PATHS = Set.of("/", "/index.html", "/demo.js", "/demo.css",
            "/v2/health/live", "/v2/health/ready");

    private final Config config;
    private final String modelName;
    private final ModelWorker worker;
    private final ModelInfo info;
    private final String platform;
    private final ServerMetrics metrics;
    private final Semaphore admitted;
    private final ExecutorService answers;
    private final byte[] keyDigest;               // SHA-256 of the API key, or null: no auth
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private boolean closed;
    private final Map<String, byte[]> pages = new LinkedHashMap<>();
    private Javalin app;

    /**
     * @param segmenter the model; the server owns it from here on and closes it
     * @param modelName the name in the v2 paths ({@code /v2/models/NAME}), the checkpoint's file stem
     */
    public SegmentServer(Segmenter segmenter, String modelName, Config config) {
        this.config = config;
        this.modelName = modelName;
        this.info = segmenter.info();
        this.platform = switch (segmenter.backend().name()) {
            case "onnx" -> "onnxruntime_onnx";
            case "pytorch" -> "pytorch_libtorch";
            default -> segmenter.backend().name();
        };
        this.admitted = new Semaphore(config.queue() + config.maxBatch());
        // Answers (PNG or JSON encoding) are written on these threads, not on the model's: run on
        // the thread that completes the batch, eight PNG encodings would keep the network idle.
        AtomicInteger answerThreads = new AtomicInteger();
        this.answers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "bisenet-answer-" + answerThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.keyDigest = config.apiKey() != null ? sha256(config.apiKey()) : null;
        ModelWorker[] w = new ModelWorker[1];
        this.metrics = new ServerMetrics(config.maxBatch(), () -> w[0] == null ? 0 : w[0].queueDepth());
        this.worker = new ModelWorker(segmenter, config.maxBatch(), config.batchDelayMillis(), config.queue(), metrics::batch);
        w[0] = worker;
        for (String page : List.of("index.html", "demo.js", "demo.css")) {
            pages.put(page, resource("web/" + page));
        }
    }

    /** Starts listening; {@link #port()} tells the port when the config asked for 0. */
    public SegmentServer start() {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.jetty.modifyServer(server -> server.setStopTimeout(30_000));
            cfg.requestLogger.http(this::record);
            cfg.routes.before(this::authenticate);
            cfg.routes.get("/", ctx -> page(ctx, "index.html", "text/html; charset=utf-8"));
            cfg.routes.get("/index.html", ctx -> page(ctx, "index.html", "text/html; charset=utf-8"));
            cfg.routes.get("/demo.js", ctx -> page(ctx, "demo.js", "text/javascript; charset=utf-8"));
            cfg.routes.get("/demo.css", ctx -> page(ctx, "demo.css", "text/css; charset=utf-8"));
            cfg.routes.get("/v2/health/live", ctx -> ctx.status(200));
            cfg.routes.get("/v2/health/ready", ctx -> ctx.status(draining ? 503 : 200));
            cfg.routes.get("/v2", this::serverMetadata);
            for (String model : List.of("/v2/models/{name}", "/v2/models/{name}/versions/{version}")) {
                cfg.routes.get(model, this::modelMetadata);
                cfg.routes.get(model + "/ready", ctx -> {
                    checkModel(ctx);
                    ctx.status(draining ? 503 : 200);
                });
                cfg.routes.post(model + "/infer", this::infer);
            }
            cfg.routes.post("/v1/segment", this::segment);
            cfg.routes.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
            // Every error answer first drains an unread body (see discardBody), wherever the error
            // was found: a bad query, a wrong key, an unknown model or path, a busy server.
            cfg.routes.exception(ApiError.class, (e, ctx) -> {
                discardBody(ctx);
                error(ctx, e);
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                discardBody(ctx);
                error(ctx, bug(e));
            });
            cfg.routes.error(404, "*", ctx -> {
                if (ctx.attribute("error") == null) {
                    discardBody(ctx);
                    error(ctx, new ApiError(404, "no such endpoint: " + ctx.method() + " " + ctx.path()
                            + " (see GET / for the demo, GET /v2 and /v2/models/" + modelName + " for the API)"));
                }
            });
            cfg.routes.error(405, "*", ctx -> {
                if (ctx.attribute("error") == null) {
                    discardBody(ctx);
                    error(ctx, new ApiError(405, ctx.method() + " is not allowed on " + ctx.path()));
                }
            });
        });
        app.start(config.host(), config.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port() + "/";
    }

    public String modelName() {
        return modelName;
    }

    public String platform() {
        return platform;
    }

    // ---- endpoints ----

    private void page(Context ctx, String name, String type) {
        ctx.contentType(type).header("Cache-Control", "no-cache").result(pages.get(name));
    }

    private void serverMetadata(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "bisenet");
        m.put("version", version());
        m.put("extensions", List.of());
        json(ctx, 200, m);
    }

    private void modelMetadata(Context ctx) {
        checkModel(ctx);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", modelName);
        m.put("versions", List.of(VERSION));
        m.put("platform", platform);
        m.put("inputs", List.of(
                tensor(InferRequest.IMAGE, "UINT8", -1, -1, 3),
                tensor(InferRequest.INPUT, "FP32", 1, 3, -1, -1)));
        m.put("outputs", List.of(
                tensor(InferRequest.LABELS, "UINT8", 1, -1, -1),
                tensor(InferRequest.LOGITS, "FP32", 1, info.numClasses(), -1, -1)));
        json(ctx, 200, m);
    }

    private static Map<String, Object> tensor(String name, String datatype, long... shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        t.put("shape", shape);
        return t;
    }

    /** {@code POST /v1/segment?output=labels|color|overlay|json}: the body is an image file. */
    private void segment(Context ctx) {
        String output = ctx.queryParam("output") != null ? ctx.queryParam("output") : "labels";
        if (!List.of("labels", "color", "overlay", "json").contains(output)) {
            throw new ApiError(400, "output=" + output + " is not known: use labels (default), color, overlay or json");
        }
        float alpha = parseAlpha(ctx.queryParam("alpha"));
        boolean withOverlay = "true".equals(ctx.queryParam("overlay"));
        long t0 = System.nanoTime();
        admitted(ctx, () -> {
            Rgb image = RequestImages.decode(readBody(ctx), config.maxPixels());
            return worker.submit(ModelWorker.Task.ofImage(image, false)).thenAcceptAsync(r -> {
                Segmentation s = r.segmentation();
                ctx.header("X-Batch-Size", Integer.toString(r.batchSize()));
                switch (output) {
                    case "labels" -> ctx.contentType("image/png").result(s.labelsPng());
                    case "color" -> ctx.contentType("image/png").result(s.colorPng());
                    case "overlay" -> ctx.contentType("image/png").result(s.overlayPng(image, alpha));
                    default -> json(ctx, 200, summary(s, image, withOverlay ? alpha : -1, r, t0));
                }
            }, answers);
        });
    }

    private Map<String, Object> summary(Segmentation s, Rgb image, float overlayAlpha, ModelWorker.Result r, long t0) {
        long[] pixels = new long[info.numClasses()];
        for (int label : s.labels()) {
            if (label >= 0 && label < pixels.length) pixels[label]++;
        }
        List<String> palette = new ArrayList<>();
        for (int c : info.palette()) palette.add(String.format(Locale.ROOT, "#%06x", c & 0xffffff));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", modelName);
        m.put("height", s.height());
        m.put("width", s.width());
        m.put("classes", info.classNames());
        m.put("palette", palette);
        m.put("pixels", pixels);
        m.put("batch_size", r.batchSize());
        m.put("batch_ms", Math.round(r.batchMillis() * 10) / 10.0);
        m.put("server_ms", Math.round((System.nanoTime() - t0) / 1e5) / 10.0);
        if (overlayAlpha >= 0) {
            m.put("overlay_png", Base64.getEncoder().encodeToString(s.overlayPng(image, overlayAlpha)));
        }
        return m;
    }

    /** {@code POST /v2/models/{name}/infer}: an Open Inference Protocol request of JSON tensors. */
    private void infer(Context ctx) {
        checkModel(ctx);
        admitted(ctx, () -> {
            byte[] body = readBody(ctx);
            long maxValues = Math.min(3 * config.maxPixels(), body.length / 2 + 1);
            InferRequest req = InferRequest.parse(body, maxValues);
            boolean wantLogits = req.outputs().contains(InferRequest.LOGITS);
            ModelWorker.Task task;
            if (req.inputName().equals(InferRequest.IMAGE)) {
                task = ModelWorker.Task.ofImage(req.image(config.maxPixels()), wantLogits);
            } else {
                int[] hw = req.tensorSize(config.maxPixels());
                float[] chw = req.data().length == req.count() ? req.data() : java.util.Arrays.copyOf(req.data(), req.count());
                task = ModelWorker.Task.ofTensor(chw, hw[0], hw[1], wantLogits);
            }
            return worker.submit(task).thenAcceptAsync(r -> {
                ctx.header("X-Batch-Size", Integer.toString(r.batchSize()));
                ctx.status(200).contentType("application/json").result(inferResponse(req, r));
            }, answers);
        });
    }

    private byte[] inferResponse(InferRequest req, ModelWorker.Result r) {
        Segmentation s = r.segmentation();
        int h = s.height(), w = s.width();
        var out = new ByteArrayOutputStream(16 + 4 * h * w);
        try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model_name", modelName);
            g.writeStringField("model_version", VERSION);
            if (req.id() != null) g.writeStringField("id", req.id());
            g.writeArrayFieldStart("outputs");
            for (String name : req.outputs()) {
                g.writeStartObject();
                g.writeStringField("name", name);
                if (name.equals(InferRequest.LABELS)) {
                    g.writeStringField("datatype", "UINT8");
                    g.writeFieldName("shape");
                    g.writeArray(new int[] {1, h, w}, 0, 3);
                    g.writeFieldName("data");
                    int[] labels = s.labels();
                    g.writeArray(labels, 0, labels.length);
                } else {
                    int c = info.numClasses();
                    g.writeStringField("datatype", "FP32");
                    g.writeFieldName("shape");
                    g.writeArray(new int[] {1, c, h, w}, 0, 4);
                    g.writeArrayFieldStart("data");
                    for (float v : r.logits()) g.writeNumber(v);
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---- limits, auth, errors, metrics ----

    /** A unit of inference work: admitted within the in-flight limit, answered through its future. */
    private interface Work {
        CompletableFuture<Void> start();
    }

    private void admitted(Context ctx, Work work) {
        if (draining) {
            throw new ApiError(503, "the server is shutting down: send the request to another instance", 5);
        }
        if (!admitted.tryAcquire()) {
            throw new ApiError(503, "the server is busy: " + (config.queue() + config.maxBatch())
                    + " requests are in progress (--queue " + config.queue() + " + --max-batch " + config.maxBatch()
                    + "); retry shortly", 1);
        }
        CompletableFuture<Void> f;
        try {
            f = work.start();
        } catch (RuntimeException e) {
            admitted.release();
            throw e;
        }
        ctx.future(() -> f.handle((ok, t) -> {
            admitted.release();
            if (t != null) {
                Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
                error(ctx, c instanceof ApiError a ? a : bug(c));
            }
            return null;
        }));
    }

    /**
     * Before an error answer: reads a body the handler did not read into a small reused buffer and
     * drops it, up to a bound (below). Answering before the client has sent its body makes the
     * server close the connection with unread bytes in it, and the kernel then resets the
     * connection: clients that are still writing see a transport error ("header parser received
     * no bytes") instead of the 4xx or the 503 and its Retry-After (hey saw 1-5 in 1,280 overload
     * requests; ServerTest sees it on every try with a 1 MB body). The same holds for a body
     * refused as too large, declared or found so while reading: its rest is drained too (a 413 was
     * a reset in a CI run on 2026-12-07), up to {@link #DRAIN_LIMITS} times the body limit; a
     * body declared larger than that is not read and its connection is closed. Costs no memory:
     * the bytes pass through one reused 64 KB buffer. A body read whole is left alone.
     */
    private void discardBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        long cap = DRAIN_LIMITS * config.maxBodyBytes();
        if (ctx.attribute(BODY_READ) != null || declared > cap) {
            return;
        }
        long left = declared >= 0 ? declared + 1 : cap;
        byte[] sink = DISCARD.get();
        try {
            InputStream in = ctx.req().getInputStream();
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or sent a broken body: the 503 is still the answer
        }
    }

    /** How far past the body limit a refused body is still drained (see discardBody), in body limits. */
    static final long DRAIN_LIMITS = 4;
    private static final String BODY_READ = "bisenet.body-read";
    private static final ThreadLocal<byte[]> DISCARD = ThreadLocal.withInitial(() -> new byte[64 << 10]);

    /** The body, read up to the limit: a declared or actual length over it is a 413. */
    private byte[] readBody(Context ctx) {
        long limit = config.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        String tooBig = "over the server's limit of " + limit / (1 << 20) + " MB (--max-body-mb): send a smaller file";
        if (declared > limit) {
            throw new ApiError(413, "the body is " + declared + " bytes, " + tooBig); // drained by discardBody
        }
        byte[] body;
        try {
            // grows as bytes arrive: never sized by the header. The stream stays open: after a 413
            // discardBody drains the rest of it, and the server closes it with the exchange.
            body = ctx.req().getInputStream().readNBytes((int) limit + 1);
        } catch (IOException e) {
            ctx.attribute(BODY_READ, Boolean.TRUE); // a broken body: nothing left worth draining
            throw new ApiError(400, "the request body could not be read (" + e.getMessage() + ")");
        }
        if (body.length > limit) {
            throw new ApiError(413, "the body is more than " + limit + " bytes, " + tooBig);
        }
        ctx.attribute(BODY_READ, Boolean.TRUE);
        return body;
    }

    private void authenticate(Context ctx) {
        inFlight.incrementAndGet();
        ctx.attribute("started", System.nanoTime());
        if (keyDigest == null || OPEN_PATHS.contains(ctx.path())) {
            return;
        }
        String auth = ctx.header("Authorization");
        String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : "";
        // Digests of equal length compared with MessageDigest.isEqual: the time taken says
        // nothing about how much of the key matched, or about its length.
        if (!MessageDigest.isEqual(sha256(token), keyDigest)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, auth == null
                    ? "this server needs an API key: send the header 'Authorization: Bearer KEY'"
                    : "the API key is wrong: send the key of the server's --api-key-file as 'Authorization: Bearer KEY'");
        }
    }

    private void record(Context ctx, Float millis) {
        inFlight.decrementAndGet();
        Endpoint e = ctx.endpoints().matchedHttpEndpoint();
        String endpoint = e != null ? e.path : "unmatched";
        Long started = ctx.attribute("started");
        double seconds = started != null ? (System.nanoTime() - started) / 1e9 : millis / 1e3;
        metrics.request(endpoint, ctx.status().getCode(), seconds);
    }

    private void checkModel(Context ctx) {
        String name = ctx.pathParam("name");
        if (!name.equals(modelName)) {
            throw new ApiError(404, "unknown model '" + name + "': this server serves '" + modelName + "'");
        }
        String version = ctx.pathParamMap().get("version");
        if (version != null && !version.equals(VERSION)) {
            throw new ApiError(404, "unknown version '" + version + "' of model '" + modelName + "': it has version " + VERSION);
        }
    }

    private static void error(Context ctx, ApiError e) {
        ctx.attribute("error", e.getMessage());
        if (e.retryAfterSeconds > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds));
        }
        json(ctx, e.status, Map.of("error", e.getMessage()));
    }

    private static ApiError bug(Throwable t) {
        System.err.println("bisenet serve: internal error (a bug; please report it with this trace):");
        t.printStackTrace();
        return new ApiError(500, "internal error: " + t);
    }

    private static void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float parseAlpha(String s) {
        if (s == null) return 0.5f; // predict's --alpha default
        try {
            float a = Float.parseFloat(s);
            if (a >= 0 && a <= 1) return a;
        } catch (NumberFormatException ignored) {
            // the message below says it
        }
        throw new ApiError(400, "alpha=" + s + " must be a number from 0 to 1 (the colours' weight in the overlay)");
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = SegmentServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String version() {
        String v = SegmentServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    // ---- shutdown ----

    /** Requests being handled right now (any endpoint). */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Graceful stop: readiness turns 503, the listening socket closes, requests already in flight
     * (queued or running) finish and are answered, then the server and the model close.
     */
    public synchronized void shutdown(long timeoutMillis) {
        if (closed) return;
        closed = true;
        draining = true;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        if (app != null) {
            for (Connector c : app.jettyServer().server().getConnectors()) {
                c.shutdown(); // Graceful: stop accepting; open connections carry on
            }
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                sleep(10);
            }
            app.stop();
        }
        try {
            worker.drain(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.close();
        answers.shutdown();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(30_000);
    }
}
