package dev.bisenet.infer;

import dev.bisenet.image.Padding;
import dev.bisenet.image.Preprocess;
import dev.bisenet.image.Rgb;
import dev.bisenet.util.AtomicFiles;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Segments many image files with decoding, the network and encoding overlapped: one thread
 * decodes and normalises, one runs the network, {@code encoders} threads encode and write the
 * PNGs, joined by bounded queues ({@value #QUEUE} images each), so memory stays flat however
 * long the folder is. The bytes written are {@link PredictOutput}'s, as in {@code predict} on
 * one image; each file is written atomically.
 *
 * <p>A file that cannot be decoded is reported through {@link Listener#failed} and skipped; any
 * other error (the network, a full disk) stops every thread and is rethrown by {@link #run}.
 * Files finish out of order when there are several encoders.
 */
public final class FolderPredictor {

    /** Images in each queue: enough to hide jitter, small enough to keep memory flat. */
    static final int QUEUE = 4;

    /** Told about each image as it finishes; called from the encoder threads, one at a time. */
    public interface Listener {
        /** {@code file} was written; {@code done} images have finished so far (failed included). */
        void written(Path file, int height, int width, int done);

        /** {@code file} could not be read; {@code message} names it and says what was wrong. */
        void failed(Path file, String message, int done);
    }

    /** What a run did. */
    public record Summary(int written, int failed, double seconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? written / seconds : 0;
        }
    }

    private record Decoded(Path file, String stem, Rgb image, float[] nchw, int ph, int pw, String error) {}

    private record Done(Decoded in, Segmentation result) {}

    private static final Decoded END = new Decoded(null, null, null, null, 0, 0, null);
    private static final Done END_DONE = new Done(END, null);

    private final Backend backend;
    private final ModelInfo info;
    private final Set<PredictOutput> write;
    private final float alpha;
    private final int encoders;

    /**
     * @param write which files to write per image (at least one)
     * @param alpha colour weight of the overlay
     * @param encoders threads that encode and write PNGs (1 or more)
     */
    public FolderPredictor(Segmenter segmenter, Set<PredictOutput> write, float alpha, int encoders) {
        this.backend = segmenter.backend();
        this.info = segmenter.info();
        this.write = Set.copyOf(Objects.requireNonNull(write));
        if (this.write.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        this.alpha = alpha;
        this.encoders = Math.max(1, encoders);
    }

    /**
     * Segments {@code files} into {@code outDir}, output names from {@code stems} (same order).
     *
     * @throws UserException when writing fails (the folder is not writable, the disk is full)
     */
    public Summary run(List<Path> files, List<String> stems, Path outDir, Listener listener) {
        if (files.size() != stems.size()) {
            throw new IllegalArgumentException(files.size() + " files but " + stems.size() + " stems");
        }
        long t0 = System.nanoTime();
        BlockingQueue<Decoded> decoded = new ArrayBlockingQueue<>(QUEUE);
        BlockingQueue<Done> inferred = new ArrayBlockingQueue<>(QUEUE);
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Preprocess preprocess = new Preprocess(info.mean(), info.std());
        List<Thread> threads = new ArrayList<>();

        threads.add(thread("decode", error, threads, () -> {
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                Decoded d;
                try {
                    Rgb image = Rgb.read(f);
                    int ph = Padding.ceil32(image.height());
                    int pw = Padding.ceil32(image.width());
                    float[] nchw = new float[3 * ph * pw];                                  // (1, 3, ph, pw)
                    preprocess.into(image.pixels(), image.height(), image.width(), nchw, 0, ph, pw);
                    d = new Decoded(f, stems.get(i), image, nchw, ph, pw, null);
                } catch (UserException e) {
                    d = new Decoded(f, stems.get(i), null, null, 0, 0, e.getMessage());
                }
                decoded.put(d);
            }
            decoded.put(END);
        }));
        threads.add(thread("infer", error, threads, () -> {
            while (true) {
                Decoded d = decoded.take();
                if (d == END) {
                    for (int k = 0; k < encoders; k++) {
                        inferred.put(END_DONE);
                    }
                    return;
                }
                Segmentation s = null;
                if (d.error == null) {
                    int h = d.image.height(), w = d.image.width();
                    int[] padded = backend.labels(d.nchw, 1, d.ph, d.pw);                   // (1, ph, pw)
                    s = new Segmentation(h, w, Preprocess.crop(padded, 1, d.ph, d.pw, h, w), info);
                }
                inferred.put(new Done(d, s));
            }
        }));
        for (int k = 0; k < encoders; k++) {
            threads.add(thread("encode-" + k, error, threads, () -> {
                while (true) {
                    Done r = inferred.take();
                    if (r == END_DONE) {
                        return;
                    }
                    Decoded d = r.in;
                    if (d.error != null) {
                        failed.incrementAndGet();
                        synchronized (listener) {
                            listener.failed(d.file, d.error, done.incrementAndGet());
                        }
                        continue;
                    }
                    for (PredictOutput o : write) {
                        byte[] png = o.png(r.result, d.image, alpha);
                        Path target = outDir.resolve(o.fileName(d.stem));
                        try {
                            AtomicFiles.write(target, png);
                        } catch (IOException e) {
                            throw new UserException(target + ": cannot write (" + e.getMessage()
                                    + "); check that --output is a writable folder with free space");
                        }
                    }
                    written.incrementAndGet();
                    synchronized (listener) {
                        listener.written(d.file, d.image.height(), d.image.width(), done.incrementAndGet());
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    threads.forEach(Thread::interrupt);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = error.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return new Summary(written.get(), failed.get(), (System.nanoTime() - t0) / 1e9);
    }

    private interface Body {
        void run() throws Exception;
    }

    // The first failure stops every stage: the others are interrupted out of their queues.
    // The list is complete before any thread starts and is not changed after.
    private static Thread thread(String name, AtomicReference<Throwable> error, List<Thread> all, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                // stopped because another stage failed
            } catch (Throwable e) {
                if (error.compareAndSet(null, e)) {
                    all.forEach(Thread::interrupt);
                }
            }
        }, "bisenet-predict-" + name);
        t.setDaemon(true);
        return t;
    }
}
