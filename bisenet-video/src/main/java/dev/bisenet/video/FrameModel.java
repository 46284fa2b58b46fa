package dev.bisenet.video;

/**
 * The network as the pipeline sees it: a preparation step that runs on its own thread, then
 * the inference proper on the single inference thread.
 *
 * <p>{@link #prepare} and {@link #infer} run on two different threads at the same time (on
 * different frames), so shared state between them (a buffer pool) must be thread-safe. Each
 * prepared value is passed to {@link #infer} exactly once, in frame order, unless the pipeline
 * stops first; buffers it holds can go back to a pool at the end of {@code infer}.
 *
 * @param <P> the prepared input, such as a normalised float tensor
 */
public interface FrameModel<P> {

    /** Turns a frame into the network's input (normalise, pad); thread-safe. */
    P prepare(Frame frame);

    /**
     * Runs the network.
     *
     * @return a class index per pixel of the frame, shape (frame height, frame width)
     */
    int[] infer(P prepared);
}
