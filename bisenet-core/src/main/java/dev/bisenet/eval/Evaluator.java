package dev.bisenet.eval;

import dev.bisenet.infer.Backend;
import dev.bisenet.util.UserException;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Evaluates a model over a dataset: runs a protocol on every sample, counts the predictions
 * into a {@link ConfusionMatrix} and computes the {@link Metrics}.
 *
 * <p>The network runs serially on the calling thread (one backend). The Java post-processing
 * (resampling, softmax, argmax, counting) runs on one worker thread, so it overlaps with the
 * next network call; because that thread runs tasks in order, the matrix and each image's
 * accumulator are only ever touched by one thread and need no locking. At most
 * {@link #MAX_PENDING} post-processing tasks wait at a time, each holding one logits array, so
 * memory stays bounded when the worker falls behind. The backend must return a new array from
 * each {@code logits} call (DJL's and ONNX Runtime's copies are), since the worker reads it
 * after the next call has started.
 */
public final class Evaluator {

    /** Post-processing tasks allowed to wait before the network thread blocks. */
    public static final int MAX_PENDING = 2;

    /** One image of a dataset with its ground truth. */
    public record Sample(String name, float[] image, int height, int width, int[] labels,
            int labelHeight, int labelWidth) {

        /**
         * @param name shown in errors and progress (a file name)
         * @param image normalised, shape (3, height, width)
         * @param labels class indices (and the ignore index), shape (labelHeight, labelWidth)
         */
        public Sample {
            Objects.requireNonNull(name, "name");
            if ((long) 3 * height * width != image.length || height <= 0 || width <= 0) {
                throw new IllegalArgumentException("sample " + name + ": image has "
                        + image.length + " values, expected 3x" + height + "x" + width);
            }
            if ((long) labelHeight * labelWidth != labels.length || labelHeight <= 0
                    || labelWidth <= 0) {
                throw new IllegalArgumentException("sample " + name + ": label has "
                        + labels.length + " values, expected " + labelHeight + "x" + labelWidth);
            }
        }

        /** A sample whose label has the image's size (height x width). */
        public static Sample of(String name, float[] image, int height, int width, int[] labels) {
            if (labels.length != height * width) {
                throw new UserException("sample " + name + ": the image is " + height + "x"
                        + width + " (height x width) but the label has " + labels.length
                        + " pixels; image and label must have the same size");
            }
            return new Sample(name, image, height, width, labels, height, width);
        }
    }

    /** Told about each image once its network part is done, on the evaluating thread. */
    @FunctionalInterface
    public interface ProgressListener {

        /** A listener that does nothing. */
        ProgressListener NONE = (done, name) -> { };

        /** @param imagesDone images submitted so far, counting this one */
        void imageDone(int imagesDone, String sampleName);
    }

    /** What an evaluation produces. */
    public record Result(Metrics metrics, ConfusionMatrix matrix, int numImages) {
    }

    private Evaluator() {
    }

    /** Evaluates every sample of {@code samples}; see {@link #evaluate(Iterator, Backend, EvalOptions, ProgressListener)}. */
    public static Result evaluate(Iterable<Sample> samples, Backend backend, EvalOptions options,
            ProgressListener progress) {
        return evaluate(samples.iterator(), backend, options, progress);
    }

    /**
     * Evaluates every sample, in order.
     *
     * @throws UserException naming the sample when an image and its label differ in size or a
     *     label holds a value that is neither a class nor the ignore index
     */
    public static Result evaluate(Iterator<Sample> samples, Backend backend, EvalOptions options,
            ProgressListener progress) {
        Protocols protocols = new Protocols(backend, options);
        ConfusionMatrix matrix = new ConfusionMatrix(backend.numClasses());
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Semaphore pending = new Semaphore(MAX_PENDING);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bisenet-eval-post");
            t.setDaemon(true);
            return t;
        });
        int count = 0;
        try {
            while (samples.hasNext()) {
                rethrow(failure);
                Sample sample = samples.next();
                checkSizes(sample);
                String name = sample.name();
                try {
                    protocols.submit(sample.image(), sample.height(), sample.width(),
                            task -> enqueue(worker, pending, failure, name, task),
                            p -> matrix.add(sample.labels(), p.labels(), options.ignoreIndex()));
                } catch (UserException e) {
                    throw new UserException("sample " + name + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("evaluation failed on sample " + name + ": "
                            + e.getMessage(), e);
                }
                count++;
                progress.imageDone(count, name);
            }
            worker.shutdown();
            while (!worker.awaitTermination(1, TimeUnit.MINUTES)) {
                // the last image of an MSF pass on a huge image can take long; keep waiting
            }
            rethrow(failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } finally {
            worker.shutdownNow();
        }
        return new Result(Metrics.of(matrix), matrix, count);
    }

    private static void checkSizes(Sample s) {
        if (s.height() != s.labelHeight() || s.width() != s.labelWidth()) {
            throw new UserException("sample " + s.name() + ": the image is " + s.height() + "x"
                    + s.width() + " but its label is " + s.labelHeight() + "x" + s.labelWidth()
                    + " (height x width); image and label must have the same size");
        }
    }

    // Runs `task` on the worker after a permit frees up; a failure is recorded with the sample
    // name and every later task is skipped, so the first error is the one reported.
    private static void enqueue(ExecutorService worker, Semaphore pending,
            AtomicReference<RuntimeException> failure, String name, Runnable task) {
        try {
            pending.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        }
        try {
            worker.execute(() -> {
                try {
                    if (failure.get() == null) {
                        task.run();
                    }
                } catch (UserException e) {
                    failure.compareAndSet(null,
                            new UserException("sample " + name + ": " + e.getMessage(), e));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, new IllegalStateException(
                            "post-processing failed on sample " + name + ": " + e, e));
                } finally {
                    pending.release();
                }
            });
        } catch (RejectedExecutionException e) {
            pending.release();
            throw e;
        }
    }

    private static void rethrow(AtomicReference<RuntimeException> failure) {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }
}
