package dev.bisenet.infer;

/**
 * A network that turns normalised images into class logits, whatever runs it (DJL/PyTorch or
 * ONNX Runtime). Plain float arrays at this boundary keep evaluation and video code free of
 * engine types.
 *
 * <p>Implementations are not thread-safe unless they say so: use one per thread.
 */
public interface Backend extends AutoCloseable {

    /** Number of classes C of the logits. */
    int numClasses();

    /**
     * Runs the network on a batch of normalised images.
     *
     * @param nchw input, shape (n, 3, h, w), row-major; h and w must be multiples of 32
     * @return logits, shape (n, C, h, w), row-major
     */
    float[] logits(float[] nchw, int n, int h, int w);

    /**
     * Runs the network and returns class indices, the argmax taken inside the engine's graph
     * (never in a Java pixel loop).
     *
     * @return labels, shape (n, h, w), row-major
     */
    int[] labels(float[] nchw, int n, int h, int w);

    /**
     * Runs the network and leaves the logits inside the engine: nothing is copied out. For
     * benchmarks that time the network alone, like a Python benchmark that keeps the output
     * tensor. Engines that cannot skip the copy run {@link #logits}.
     */
    default void forwardOnly(float[] nchw, int n, int h, int w) {
        logits(nchw, n, h, w);
    }

    /** A short name for messages and benchmarks, such as {@code pytorch} or {@code onnx}. */
    String name();

    @Override
    void close();
}
