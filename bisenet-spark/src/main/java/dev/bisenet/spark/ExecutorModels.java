package dev.bisenet.spark;

import dev.bisenet.infer.Backend;
import dev.bisenet.infer.ModelLoader;
import dev.bisenet.spec.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models open in this JVM, one per shipped model: an executor runs many tasks, several at
 * once, and all share one model, loaded on the first task that needs it. The engine already uses
 * every core it is given, so concurrent tasks take turns at the network ({@link Shared}) while
 * their decoding and encoding overlap.
 */
final class ExecutorModels {

    private static final Map<String, Shared> OPEN = new HashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    /** A model with its description; {@link #backend} serialises calls to the network. */
    record Shared(Backend backend, ModelInfo info) {}

    /** The model, opened on first use in this JVM. */
    static synchronized Shared get(ShippedModel m) {
        Shared s = OPEN.get(m.id);
        if (s == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("bisenet-model-");
            } catch (IOException e) {
                throw new IllegalStateException("no temporary folder for the shipped model: " + e.getMessage(), e);
            }
            dir.toFile().deleteOnExit();
            quietEngineThreads();
            ModelLoader.Loaded loaded = m.open(dir);
            LOADS.incrementAndGet();
            s = new Shared(new TakingTurns(loaded.backend()), loaded.info());
            OPEN.put(m.id, s);
        }
        return s;
    }

    /** Registers a model the driver has already opened, so that a local master does not load it twice. */
    static synchronized void put(ShippedModel m, ModelLoader.Loaded loaded) {
        OPEN.putIfAbsent(m.id, new Shared(new TakingTurns(loaded.backend()), loaded.info()));
    }

    /** Closes and forgets a model (the driver, at the end of its job). */
    static synchronized void release(ShippedModel m) {
        Shared s = OPEN.remove(m.id);
        if (s != null) {
            s.backend().close();
        }
    }

    /**
     * Concurrent tasks decode and encode while one of them runs the network: ONNX Runtime's
     * threads must not spin between operators and keep the cores from them (as predict on a
     * folder; see PredictCommand). Before the first model of the JVM is opened.
     */
    static void quietEngineThreads() {
        dev.bisenet.infer.ModelLoader.noSpinUnlessSet();
    }

    /** How many models this JVM has loaded from shipped bytes (tests: once per executor). */
    static int loads() {
        return LOADS.get();
    }

    /**
     * One network call at a time. Closing waits for the call in progress, and later calls fail
     * in Java: a task still running when its job was aborted must not reach a closed native session.
     */
    private static final class TakingTurns implements Backend {
        private final Backend inner;
        private boolean closed;

        TakingTurns(Backend inner) {
            this.inner = inner;
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }

        @Override
        public synchronized float[] logits(float[] nchw, int n, int h, int w) {
            checkOpen();
            return inner.logits(nchw, n, h, w);
        }

        @Override
        public synchronized int[] labels(float[] nchw, int n, int h, int w) {
            checkOpen();
            return inner.labels(nchw, n, h, w);
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("the model was closed: its job has ended");
            }
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                inner.close();
            }
        }
    }
}
