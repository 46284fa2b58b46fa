package dev.bisenet.video;

import java.io.IOException;

/**
 * Where segmented frames go (a video file, a folder of PNG images). Called by one thread:
 * {@link #open} once before the first frame, {@link #write} per frame in order, then
 * {@link #close}.
 */
public interface FrameSink extends AutoCloseable {

    /**
     * Prepares the output for frames of the given size and rate (the input's rate, divided
     * when frames are skipped).
     */
    void open(VideoInfo output) throws IOException;

    /** Writes one frame. */
    void write(SegmentedFrame frame) throws IOException;

    /**
     * Finishes the output so that what was written is complete and playable, also after an
     * error or a cancellation; does nothing when the sink was never opened.
     */
    @Override
    void close() throws IOException;
}
