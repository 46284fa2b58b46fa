package dev.bisenet.video;

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
    /** How long threads get to end after a cancellation or an error. */
    private static final long STOP_GRACE_NANOS = 30_000_000_000L;

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
    private volatile long stopNanos; // when stop() ran; 0 before
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

    Pipeline(PipelineBuilder b) {
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
    public static PipelineBuilder builder() {
        return new PipelineBuilder();
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
                threads.add(thread("encode", () -> encodeLoop(rendered)));
                if (!stopping) {
                    threads.forEach(Thread::start);
                }
            }
            joinAll();
        } finally {
            closeErrors.addAll(closeSourceAndSinks());
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
            closeSourceAndSinks().forEach(e -> warnings.accept("while closing an output: "
                    + e.getMessage()));
        }
    }

    // Closing a sink finishes its file, so every sink is closed even when one fails.
    private List<Throwable> closeSourceAndSinks() {
        source.close();
        List<Throwable> errors = new ArrayList<>();
        for (FrameSink sink : sinks) {
            try {
                sink.close();
            } catch (IOException | RuntimeException e) {
                errors.add(e);
            }
        }
        return errors;
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
        stopNanos = Math.max(1, System.nanoTime());
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
    // Once a stop is under way each thread gets STOP_GRACE_NANOS to end: one blocked in I/O
    // that no interrupt reaches (a pipe write to a hung ffmpeg) is left behind, as a daemon,
    // with a warning, rather than hanging the program.
    private void joinAll() {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    long stoppedAt = stopNanos;
                    if (stoppedAt == 0) {
                        t.join(100);
                        continue;
                    }
                    long left = STOP_GRACE_NANOS - (System.nanoTime() - stoppedAt);
                    if (left <= 0) {
                        warnings.accept("thread " + t.getName() + " did not stop within "
                                + STOP_GRACE_NANOS / 1_000_000_000L + " s (blocked in I/O);"
                                + " leaving it behind");
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
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
        FrameThinning thinning = new FrameThinning(options);
        boolean dropWhenFull = options.dropsWhenBehind();
        while (!stopping) {
            long t0 = System.nanoTime();
            Frame frame = source.next();
            if (frame == null) {
                break;
            }
            decode.add(System.nanoTime() - t0);
            FrameThinning.Verdict verdict = thinning.judge(frame);
            if (verdict == FrameThinning.Verdict.SKIP) {
                skipped++;
                continue;
            }
            if (verdict == FrameThinning.Verdict.DROP) {
                dropped++;
                continue;
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

    private void encodeLoop(BlockingQueue<Item> in) throws Exception {
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

    private record StageFailure(String stage, Throwable error) {
        RuntimeException rethrow() {
            if (error instanceof UserException || error instanceof IOException) {
                return new UserException("video " + stage + ": " + error.getMessage(), error);
            }
            return new PipelineException(stage, error);
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
}
