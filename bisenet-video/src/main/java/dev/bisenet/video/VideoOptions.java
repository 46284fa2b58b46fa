package dev.bisenet.video;

/**
 * How a {@link Pipeline} runs.
 *
 * @param queueCapacity frames each queue between two stages holds; small, because a full
 *     queue is what makes a fast decoder wait instead of buffering the whole video
 * @param skip process every skip-th frame (1: all); the output rate is divided by it, so the
 *     video keeps its duration
 * @param maxFps when positive, frames are thinned by their timestamps to at most this rate,
 *     and frames are also dropped when the pipeline is behind (as with dropWhenBehind); 0 for
 *     no limit
 * @param dropWhenBehind drop a decoded frame instead of waiting when the pipeline is full, for
 *     live sources; when false (and maxFps is 0) no frame is ever dropped
 * @param warmupFrames output frames left out of the steady rate in {@link Stats}, because the
 *     first network calls are slower
 */
public record VideoOptions(int queueCapacity, int skip, double maxFps, boolean dropWhenBehind,
        int warmupFrames) {

    /** Queues of 2, every frame, no dropping, 5 warm-up frames. */
    public static final VideoOptions DEFAULTS = new VideoOptions(2, 1, 0, false, 5);

    public VideoOptions {
        if (queueCapacity < 1 || queueCapacity > 64) {
            throw new IllegalArgumentException("queue capacity must be in 1..64, got "
                    + queueCapacity);
        }
        if (skip < 1) {
            throw new IllegalArgumentException("skip must be at least 1 (every frame), got "
                    + skip);
        }
        if (!(maxFps >= 0) || Double.isInfinite(maxFps)) {
            throw new IllegalArgumentException("max fps must be 0 (no limit) or positive, got "
                    + maxFps);
        }
        if (warmupFrames < 0) {
            throw new IllegalArgumentException("warm-up frames must be >= 0, got "
                    + warmupFrames);
        }
    }

    /** Whether the decoder drops frames rather than wait for a full pipeline. */
    public boolean dropsWhenBehind() {
        return dropWhenBehind || maxFps > 0;
    }

    public VideoOptions withQueueCapacity(int n) {
        return new VideoOptions(n, skip, maxFps, dropWhenBehind, warmupFrames);
    }

    public VideoOptions withSkip(int n) {
        return new VideoOptions(queueCapacity, n, maxFps, dropWhenBehind, warmupFrames);
    }

    public VideoOptions withMaxFps(double fps) {
        return new VideoOptions(queueCapacity, skip, fps, dropWhenBehind, warmupFrames);
    }

    public VideoOptions withDropWhenBehind(boolean drop) {
        return new VideoOptions(queueCapacity, skip, maxFps, drop, warmupFrames);
    }

    public VideoOptions withWarmupFrames(int n) {
        return new VideoOptions(queueCapacity, skip, maxFps, dropWhenBehind, n);
    }

    /** The rate of the output: the input's, divided by skip, capped at maxFps. */
    public FrameRate outputRate(FrameRate input) {
        FrameRate r = skip > 1 ? input.divide(skip) : input;
        return maxFps > 0 && maxFps < r.fps() ? FrameRate.of(maxFps) : r;
    }
}
