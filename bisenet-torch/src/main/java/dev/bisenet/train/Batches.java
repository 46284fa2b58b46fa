package dev.bisenet.train;

/** Training batches in iteration order: what the loop needs from a data loader. */
public interface Batches extends AutoCloseable {

    /**
     * One batch of augmented, normalised images and their labels.
     *
     * @param iteration the iteration this batch belongs to
     * @param images (n, 3, height, width) normalised
     * @param labels (n, height, width) class indices, 255 = ignore
     */
    record Batch(int iteration, int n, int height, int width, float[] images, byte[] labels) {}

    /** The batch of the next iteration; blocks until it is ready. */
    Batch next() throws InterruptedException;

    /** Total time {@link #next()} has spent waiting for data, in nanoseconds. */
    long waitNanos();

    @Override
    void close();
}
