package dev.bisenet.serve;

import dev.bisenet.infer.Backend;
import dev.bisenet.image.Rgb;
import dev.bisenet.infer.Segmentation;
import dev.bisenet.infer.Segmenter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * The model behind the server: owns the {@link Segmenter} and the {@link Batcher} whose single
 * thread is the only one that touches it. Request threads decode and validate, then
 * {@link #submit} a {@link Task} and wait on its future without blocking a thread.
 */
final class ModelWorker implements AutoCloseable {

    /** Images of one size (that want only labels) go through the network together. */
    record Size(int height, int width) {}

    /** The answer to one task. {@code logits} is (C, h, w), or null when not asked for. */
    record Result(Segmentation segmentation, float[] logits, int batchSize, double batchMillis) {}

    /** One image to segment: RGB bytes, or an already normalised (3, h, w) tensor. */
    static final class Task extends Batcher.Job {
        final Rgb image;       // null for a tensor task
        final float[] chw;     // (3, h, w) normalised, or null for an image task
        final int height;
        final int width;
        final boolean wantLogits;
        final CompletableFuture<Result> result = new CompletableFuture<>();

        private Task(Rgb image, float[] chw, int height, int width, boolean wantLogits) {
            this.image = image;
            this.chw = chw;
            this.height = height;
            this.width = width;
            this.wantLogits = wantLogits;
        }

        static Task ofImage(Rgb image, boolean wantLogits) {
            return new Task(image, null, image.height(), image.width(), wantLogits);
        }

        static Task ofTensor(float[] chw, int height, int width, boolean wantLogits) {
            if (chw.length != 3 * height * width) {
                throw new IllegalArgumentException(chw.length + " values for (3, " + height + ", " + width + ")");
            }
            return new Task(null, chw, height, width, wantLogits);
        }

        @Override
        Object batchKey() {
            // Logits and pre-normalised tensors are rare requests: they run alone.
            return image != null && !wantLogits ? new Size(height, width) : null;
        }

        @Override
        void fail(Throwable t) {
            result.completeExceptionally(t);
        }
    }

    private final Segmenter segmenter;
    private final Batcher<Task> batcher;
    private final int queueCapacity;

    /**
     * @param onBatch told each batch's size (the batch-size metric)
     */
    ModelWorker(Segmenter segmenter, int maxBatch, long batchDelayMillis, int queueCapacity, IntConsumer onBatch) {
        this.segmenter = segmenter;
        this.queueCapacity = queueCapacity;
        this.batcher = new Batcher<>(maxBatch, batchDelayMillis, queueCapacity, this::run, onBatch);
    }

    Segmenter segmenter() {
        return segmenter;
    }

    /** Queues a task; a full queue is a 503 with Retry-After. */
    CompletableFuture<Result> submit(Task task) {
        if (!batcher.offer(task)) {
            throw new ApiError(503, "the server is busy: " + queueCapacity + " requests are already waiting"
                    + " (--queue " + queueCapacity + "); retry shortly", 1);
        }
        return task.result;
    }

    int queueDepth() {
        return batcher.depth();
    }

    /** Runs one batch: all tasks share a batch key, or it is a single task. */
    private void run(List<Task> batch) {
        long t0 = System.nanoTime();
        Task first = batch.get(0);
        if (first.batchKey() != null) {
            List<Rgb> images = new ArrayList<>(batch.size());
            for (Task t : batch) images.add(t.image);
            List<Segmentation> out = segmenter.segmentAll(images); // one forward pass: same size
            double ms = (System.nanoTime() - t0) / 1e6;
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(new Result(out.get(i), null, batch.size(), ms));
            }
            return;
        }
        Result r = first.image != null ? runImageWithLogits(first) : runTensor(first);
        first.result.complete(new Result(r.segmentation(), r.logits(), 1, (System.nanoTime() - t0) / 1e6));
    }

    private Result runImageWithLogits(Task t) {
        float[] logits = segmenter.logits(t.image); // (C, h, w)
        int[] labels = argmax(logits, segmenter.backend().numClasses(), t.height * t.width);
        return new Result(new Segmentation(t.height, t.width, labels, segmenter.info()), logits, 1, 0);
    }

    /**
     * A normalised tensor of any size: zero-padded at the bottom and right to multiples of 32,
     * run, and cropped back, as {@code Segmenter} does for images (padding after normalisation).
     */
    private Result runTensor(Task t) {
        int h = t.height, w = t.width;
        int ph = ceil32(h), pw = ceil32(w);
        float[] padded = new float[3 * ph * pw];                                   // (1, 3, ph, pw)
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(t.chw, (c * h + y) * w, padded, (c * ph + y) * pw, w);
            }
        }
        Backend net = segmenter.backend();
        int classes = net.numClasses();
        if (t.wantLogits) {
            float[] full = net.logits(padded, 1, ph, pw);                          // (1, C, ph, pw)
            float[] logits = new float[classes * h * w];                           // (C, h, w)
            for (int c = 0; c < classes; c++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(full, (c * ph + y) * pw, logits, (c * h + y) * w, w);
                }
            }
            int[] labels = argmax(logits, classes, h * w);
            return new Result(new Segmentation(h, w, labels, segmenter.info()), logits, 1, 0);
        }
        int[] full = net.labels(padded, 1, ph, pw);                                // (1, ph, pw)
        int[] labels = new int[h * w];                                             // (h, w)
        for (int y = 0; y < h; y++) {
            System.arraycopy(full, y * pw, labels, y * w, w);
        }
        return new Result(new Segmentation(h, w, labels, segmenter.info()), null, 1, 0);
    }

    /** Class of each pixel from (C, n) logits; ties go to the lower class, as the engines' argmax does. */
    static int[] argmax(float[] logits, int classes, int n) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float best = logits[i];
            int arg = 0;
            for (int c = 1; c < classes; c++) {
                float v = logits[c * n + i];
                if (v > best) {
                    best = v;
                    arg = c;
                }
            }
            labels[i] = arg;
        }
        return labels;
    }

    static int ceil32(int x) {
        return (x + 31) / 32 * 32;
    }

    /** Refuses new tasks and finishes the queued ones (up to {@code timeoutMillis}). */
    void drain(long timeoutMillis) throws InterruptedException {
        batcher.drainAndStop(timeoutMillis);
    }

    @Override
    public void close() {
        batcher.close();
        segmenter.close();
    }
}
