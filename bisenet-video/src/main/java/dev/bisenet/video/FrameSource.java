package dev.bisenet.video;

import java.io.IOException;

/**
 * Frames in order from somewhere (a video file, a folder of images, standard input), one at a
 * time, ending with null.
 *
 * <p>A source is read by one thread. {@link #close()} may be called from another thread to
 * stop a read that is blocked (on a pipe or a child process); the blocked {@link #next()}
 * then returns null or throws, and the caller ignores either because it asked for the stop.
 */
public interface FrameSource extends AutoCloseable {

    /** The size and rate of the frames, known before the first frame is read. */
    VideoInfo info();

    /**
     * Reads the next frame. Corrupt frames are reported to the source's warning callback,
     * counted in {@link #corruptFrames()} and skipped.
     *
     * @return the next frame, or null at the end of the stream
     * @throws IOException when the input cannot be read at all
     */
    Frame next() throws IOException;

    /** Frames found corrupt and skipped so far. */
    long corruptFrames();

    /** What is being read, for messages: a file name or {@code standard input}. */
    String description();

    /** Releases files and child processes; idempotent, callable from any thread. */
    @Override
    void close();
}
