package dev.bisenet.infer.video;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Segments a stream of frames with five threads, decode, preprocess, infer, postprocess and
 * encode, joined by bounded queues, so that reading and writing video overlap with the network.
 *
 * <p>Frame order is kept because every stage is one thread taking from a FIFO queue; the
 * infer stage is one thread because there is one network. The queues hold
 * {@link VideoOptions#queueCapacity()} frames each, so a fast decoder waits for the network
 * (or, with {@link VideoOptions#dropsWhenBehind()}, drops the frame) instead of buffering the
 * video. The end of the stream travels down the queues as a marker. The first exception in
 * any stage stops all the others at once (interrupts, and the source is closed to end a
 * blocked read) and is rethrown by {@link #run()} with the stage's name. After every thread
 * has ended, the sinks are closed, which finishes a partial video so it plays.
 *
 * <p>Threads are named {@value #THREAD_PREFIX} plus the stage. A pipeline runs once.
 */
public final class Pipeline implements AutoCloseable {

    /** Prefix of the names of the pipeline's threads. */
    public static final String THREAD_PREFIX = "bisenet-video-";

    private static final Item END = new Item(null);

    private final FrameSource source;
    private final FrameModel<?> model;
    private final Renderer renderer;
    private final List<FrameSink> sinks;
    private final VideoOptions options;
    private final Consumer<String> warnings;
    private final LongConsumer progress;
    private final boolean cancelOnShutdown;

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object stopLock = new Object();
    private volatile boolean stopping;
    private volatile boolean cancelled;
    private StageFailure failure; // guarded by stopLock

    // Each stage's counters are written by its own thread only and read after the join.
    private final StageClock decode = new StageClock();
    private final StageClock preprocess = new StageClock();
    private final StageClock infer = new StageClock();
    private final StageClock postprocess = new StageClock();
    private final StageClock encode = new StageClock();
    private long dropped;
    private long skipped;
    private long warmEndNanos;
    private long lastOutNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private Pipeline(Builder b) {
        this.source = Objects.requireNonNull(b.source, "source is required");
        this.model = Objects.requireNonNull(b.model, "model is required");
        this.renderer = Objects.requireNonNull(b.renderer, "renderer is required");
        if (b.sinks.isEmpty()) {
            throw new IllegalArgumentException("at least one sink is required");
        }
        this.sinks = List.copyOf(b.sinks);
        this.options = b.options;
        this.warnings = b.warnings;
        this.progress = b.progress;
        this.cancelOnShutdown = b.cancelOnShutdown;
    }

    /** Starts describing a pipeline. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the pipeline to the end of the source, or until {@link #cancel()} or an error.
     *
     * @return the statistics; {@link Stats#cancelled()} tells whether it was cut short
     * @throws UserException when a stage fails on bad input or I/O (naming the stage)
     * @throws PipelineException when a stage fails otherwise, such as the model throwing
     */
    public Stats run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a pipeline runs once");
        }
        Thread hook = cancelOnShutdown ? new Thread(this::cancelAndWait,
                THREAD_PREFIX + "shutdown") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        long start = System.nanoTime();
        List<Throwable> closeErrors = new ArrayList<>();
        try {
            int cap = options.queueCapacity();
            BlockingQueue<Item> decoded = new ArrayBlockingQueue<>(cap);
            BlockingQueue<Item> prepared = new ArrayBlockingQueue<>(cap);
            BlockingQueue<Item> inferred = new ArrayBlockingQueue<>(cap);
            BlockingQueue<Item> rendered = new ArrayBlockingQueue<>(cap);
            synchronized (stopLock) {
                threads.add(thread("decode", () -> decodeLoop(decoded)));
                threads.add(thread("preprocess", () -> stageLoop(decoded, prepared, preprocess,
                        it -> it.prepared = model.prepare(it.frame))));
                threads.add(thread("infer", () -> stageLoop(prepared, inferred, infer,
                        this::inferOne)));
                threads.add(thread("postprocess", () -> stageLoop(inferred, rendered,
                        postprocess, it -> it.overlay = renderer.render(it.frame, it.labels))));
                threads.add(thread("encode", () -> encodeLoop(rendered, start)));
                if (!stopping) {
                    threads.forEach(Thread::start);
                }
            }
            joinAll();
        } finally {
            source.close();
            for (FrameSink sink : sinks) {
                try {
                    sink.close();
                } catch (IOException | RuntimeException e) {
                    closeErrors.add(e);
                }
            }
            finished.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down and the hook is running; nothing to remove
                }
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        StageFailure f;
        synchronized (stopLock) {
            f = failure;
        }
        if (f != null) {
            closeErrors.forEach(f.error::addSuppressed);
            throw f.rethrow();
        }
        if (!closeErrors.isEmpty()) {
            if (!cancelled) {
                throw new StageFailure("encode", closeErrors.get(0)).rethrow();
            }
            // after Ctrl-C ffmpeg may have got the signal too and ended on its own
            closeErrors.forEach(e -> warnings.accept("while finishing the output after"
                    + " cancellation: " + e.getMessage()));
        }
        return stats(wall);
    }

    /**
     * Asks every stage to stop; returns at once. {@link #run()} then closes the sinks (the
     * partial video stays playable) and returns statistics marked cancelled. Callable from
     * any thread, any number of times.
     */
    public void cancel() {
        synchronized (stopLock) {
            if (stopping) {
                return;
            }
            cancelled = true;
            stop();
        }
    }

    /** Cancels and waits until {@link #run()} has ended and every thread is gone. */
    @Override
    public void close() {
        cancel();
        if (started.get()) {
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            source.close();
            for (FrameSink sink : sinks) {
                try {
                    sink.close();
                } catch (IOException e) {
                    warnings.accept("while closing an output: " + e.getMessage());
                }
            }
        }
    }

    // The shutdown hook: the JVM exits when hooks return, so wait for ffmpeg to finish the
    // file, but not forever.
    private void cancelAndWait() {
        cancel();
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // Called with stopLock held.
    private void stop() {
        stopping = true;
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                t.interrupt();
            }
        }
        // a read blocked on a pipe or a child process does not notice interrupts
        source.close();
    }

    private void fail(String stage, Throwable e) {
        synchronized (stopLock) {
            if (stopping) {
                return; // errors after a stop are its consequences (closed streams, interrupts)
            }
            failure = new StageFailure(stage, e);
            stop();
        }
    }

    private Thread thread(String stage, StageBody body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                fail(stage, e);
            }
        }, THREAD_PREFIX + stage);
        // a thread stuck in a read that cannot be interrupted must not keep the JVM alive
        t.setDaemon(true);
        return t;
    }

    // Joins every thread even if this thread is interrupted meanwhile; an interrupt cancels.
    private void joinAll() {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void decodeLoop(BlockingQueue<Item> out) throws Exception {
        double period = options.maxFps() > 0 ? 1 / options.maxFps() : 0;
        double nextKeep = Double.NEGATIVE_INFINITY;
        boolean dropWhenFull = options.dropsWhenBehind();
        long read = 0;
        while (!stopping) {
            long t0 = System.nanoTime();
            Frame frame = source.next();
            if (frame == null) {
                break;
            }
            decode.add(System.nanoTime() - t0);
            if (read++ % options.skip() != 0) {
                skipped++;
                continue;
            }
            if (period > 0) {
                double t = frame.timeSeconds();
                if (t < nextKeep - period * 1e-3) {
                    dropped++;
                    continue;
                }
                // keeps the average at maxFps; restarts the schedule after a gap in time
                nextKeep = t > nextKeep + period ? t + period : nextKeep + period;
            }
            Item item = new Item(frame);
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            if (!dropWhenFull) {
                out.put(item);
            } else if (!out.offer(item)) {
                inFlight.decrementAndGet();
                dropped++;
            }
        }
        if (!stopping) {
            out.put(END);
        }
    }

    private void stageLoop(BlockingQueue<Item> in, BlockingQueue<Item> out, StageClock clock,
            ItemWork work) throws Exception {
        while (true) {
            Item item = in.take();
            if (item == END) {
                out.put(END);
                return;
            }
            long t0 = System.nanoTime();
            work.apply(item);
            clock.add(System.nanoTime() - t0);
            out.put(item);
        }
    }

    private void inferOne(Item item) {
        int[] labels = inferTyped(model, item.prepared);
        item.prepared = null;
        inFlight.decrementAndGet();
        Frame f = item.frame;
        if (labels == null || labels.length != f.height() * f.width()) {
            throw new IllegalStateException("the model returned "
                    + (labels == null ? "null" : labels.length + " labels") + " for frame "
                    + f.index() + " of " + f.height() + "x" + f.width() + " pixels");
        }
        item.labels = labels;
    }

    @SuppressWarnings("unchecked")
    private static <P> int[] inferTyped(FrameModel<P> model, Object prepared) {
        return model.infer((P) prepared);
    }

    private void encodeLoop(BlockingQueue<Item> in, long start) throws Exception {
        boolean opened = false;
        FrameRate rate = options.outputRate(source.info().rate());
        while (true) {
            Item item = in.take();
            if (item == END) {
                return;
            }
            long t0 = System.nanoTime();
            Frame f = item.frame;
            if (!opened) {
                for (FrameSink sink : sinks) {
                    sink.open(new VideoInfo(f.height(), f.width(), rate, -1));
                }
                opened = true;
            }
            SegmentedFrame s = new SegmentedFrame(f, item.labels, item.overlay);
            for (FrameSink sink : sinks) {
                sink.write(s);
            }
            long now = System.nanoTime();
            encode.add(now - t0);
            lastOutNanos = now;
            if (encode.count == options.warmupFrames()) {
                warmEndNanos = now;
            }
            progress.accept(encode.count);
        }
    }

    private Stats stats(double wall) {
        long out = encode.count;
        int warm = options.warmupFrames();
        // the rate between the warm-up-th frame and the last one written
        double steady = warm > 0 && out > warm + 1
                ? (out - warm) / ((lastOutNanos - warmEndNanos) / 1e9) : Double.NaN;
        return new Stats(decode.count, out, dropped, skipped, source.corruptFrames(), wall,
                out / wall, steady, warm, decode.ms(), preprocess.ms(), infer.ms(),
                postprocess.ms(), encode.ms(), maxInFlight.get(), cancelled);
    }

    /** A stage failure, rethrown from {@link #run()} with the stage's name. */
    public static final class PipelineException extends RuntimeException {
        private final String stage;

        PipelineException(String stage, Throwable cause) {
            super("video pipeline failed in the " + stage + " stage: " + cause, cause);
            this.stage = stage;
        }

        /** decode, preprocess, infer, postprocess or encode. */
        public String stage() {
            return stage;
        }
    }

    private record StageFailure(String stage, Throwable error) {
        RuntimeException rethrow() {
            if (error instanceof UserException || error instanceof IOException) {
                return new UserException("video " + stage + ": " + error.getMessage(), error);
            }
            return new PipelineException(stage, error);
        }
    }

    /** Busy time and frame count of one stage. */
    private static final class StageClock {
        long nanos;
        long count;

        void add(long n) {
            nanos += n;
            count++;
        }

        double ms() {
            return count == 0 ? Double.NaN : nanos / 1e6 / count;
        }
    }

    private static final class Item {
        final Frame frame;
        Object prepared;
        int[] labels;
        byte[] overlay;

        Item(Frame frame) {
            this.frame = frame;
        }
    }

    @FunctionalInterface
    private interface StageBody {
        void run() throws Exception;
    }

    @FunctionalInterface
    private interface ItemWork {
        void apply(Item item) throws Exception;
    }

    /** Describes a {@link Pipeline}: source, model, renderer and at least one sink required. */
    public static final class Builder {
        private FrameSource source;
        private FrameModel<?> model;
        private Renderer renderer;
        private final List<FrameSink> sinks = new ArrayList<>();
        private VideoOptions options = VideoOptions.DEFAULTS;
        private Consumer<String> warnings = m -> { };
        private LongConsumer progress = n -> { };
        private boolean cancelOnShutdown;

        private Builder() {
        }

        public Builder setSource(FrameSource s) {
            this.source = s;
            return this;
        }

        public Builder setModel(FrameModel<?> m) {
            this.model = m;
            return this;
        }

        public Builder setRenderer(Renderer r) {
            this.renderer = r;
            return this;
        }

        /** Adds an output; every frame goes to every sink, in the order added. */
        public Builder addSink(FrameSink s) {
            this.sinks.add(Objects.requireNonNull(s));
            return this;
        }

        public Builder optOptions(VideoOptions o) {
            this.options = Objects.requireNonNull(o);
            return this;
        }

        /** Told about problems that do not stop the run. */
        public Builder optWarnings(Consumer<String> w) {
            this.warnings = Objects.requireNonNull(w);
            return this;
        }

        /** Told the number of frames written so far, on the encode thread, after each frame. */
        public Builder optProgress(LongConsumer p) {
            this.progress = Objects.requireNonNull(p);
            return this;
        }

        /**
         * Cancels the run when the JVM shuts down (Ctrl-C), waiting up to a minute for the
         * output to be finished.
         */
        public Builder optCancelOnShutdown(boolean c) {
            this.cancelOnShutdown = c;
            return this;
        }

        public Pipeline build() {
            return new Pipeline(this);
        }
    }
}
