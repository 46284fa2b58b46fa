package dev.bisenet.serve;

import dev.bisenet.util.FileNames;
import dev.bisenet.cli.ModelOptions;
import dev.bisenet.torch.Engines;
import dev.bisenet.infer.Segmenter;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code bisenet serve}: the model behind HTTP until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over HTTP: the Open Inference Protocol (KServe v2) under /v2, image files",
            "under POST /v1/segment, a demo page at /, Prometheus metrics at /metrics.",
            "Requests of one image size are batched (--max-batch, --batch-delay-ms); when --queue requests",
            "wait, more get 503 with Retry-After. SIGTERM finishes the requests in flight and exits 0."},
        footer = {"", "Examples:",
            "  ./bisenet serve --preset camvid",
            "  ./bisenet serve --preset camvid --precision int8 --port 9000 --api-key-file key.txt",
            "  curl --data-binary @street.png -o labels.png http://127.0.0.1:8080/v1/segment",
            "  curl --data-binary @street.png 'http://127.0.0.1:8080/v1/segment?output=json'"})
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default 127.0.0.1: this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default 8080; 0 picks a free one).")
    int port;

    @Option(names = "--max-batch", defaultValue = "8", description = "Most images in one network call (default 8).")
    int maxBatch;

    @Option(names = "--batch-delay-ms", defaultValue = "5",
            description = "Longest wait of a request for others of its size to join its batch (default 5).")
    long batchDelayMs;

    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait for the model; more get 503 (default 64).")
    int queue;

    @Option(names = "--max-pixels", defaultValue = "16777216",
            description = "Largest image, height x width, checked from the header before decoding (default 16777216 = 4096x4096).")
    long maxPixels;

    @Option(names = "--max-body-mb", defaultValue = "32", description = "Largest request body in MB (default 32).")
    int maxBodyMb;

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer KEY' (KEY: the file's first line) on every endpoint but health and the demo page's files.")
    Path apiKeyFile;

    @Option(names = "--threads", description = "Threads for the engine (default: all cores).")
    int threads;

    @Option(names = "--debug", description = "Print stack traces for errors too.")
    boolean debug;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM (and Ctrl-C) ask for a graceful stop; the main thread then drains and returns 0.
        // A shutdown hook could not choose the exit code: the JVM exits 143 after SIGTERM.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        SegmentServer server = start(System.out, System.err);
        stop.await();
        System.err.println("bisenet serve: stopping: finishing the requests in flight");
        server.shutdown(30_000);
        System.err.println("bisenet serve: stopped");
        return 0;
    }

    /** Opens the model and starts the server; prints one line with the URL, the model and the backend. */
    SegmentServer start(PrintStream out, PrintStream log) {
        SegmentServer.Config config = new SegmentServer.Config(host, port, maxBatch, batchDelayMs, queue, maxPixels,
                (long) maxBodyMb << 20, readKey());
        // As predict over a folder: spinning ONNX Runtime threads would take the cores from the
        // threads that decode request images and encode answers.
        dev.bisenet.infer.ModelLoader.noSpinUnlessSet();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Engines.configure(n);
        model.defaultBackend = "onnx"; // as predict: ONNX Runtime is faster on CPUs and matches the PyTorch engine
        Path file = model.resolveCheckpoint();
        if (file == null) {
            throw new UserException("no model to serve: give --checkpoint FILE (.pth or .onnx), or --preset camvid"
                    + " for the shipped model (models/bisenetv2_camvid.pth)");
        }
        Segmenter seg = model.open(log, n);
        SegmentServer server;
        try {
            server = new SegmentServer(seg, stem(file), config).start();
        } catch (RuntimeException e) {
            seg.close();
            if (causedBy(e, BindException.class)) {
                throw new UserException("cannot listen on " + host + ":" + port + " (" + UserException.rootMessage(e)
                        + "): is another server there? choose another --port");
            }
            throw e;
        }
        String precision = String.valueOf(spec.findOption("--precision").<Object>getValue());
        out.println("bisenet serve: " + server.url() + " model " + server.modelName() + " (" + file + ", "
                + seg.info().numClasses() + " classes) on " + seg.backend().name() + " " + precision
                + (config.apiKey() != null ? ", API key required" : ""));
        out.flush();
        return server;
    }

    private String readKey() {
        if (apiKeyFile == null) return null;
        String key;
        try {
            key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
        } catch (IOException e) {
            throw new UserException(apiKeyFile + ": cannot read the API key file (" + e.getMessage() + ")");
        }
        if (key.length() < 16) {
            throw new UserException(apiKeyFile + ": the API key on its first line has " + key.length()
                    + " characters; use at least 16, e.g. from 'openssl rand -hex 32'");
        }
        return key;
    }

    static String stem(Path p) {
        return FileNames.stem(p.getFileName().toString());
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }
}
