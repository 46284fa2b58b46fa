package dev.bisenet.video;

/**
 * Decides, frame by frame at the decoder, which frames the skip and maxFps options leave out;
 * deterministic, as it looks only at the count and the timestamps.
 */
final class FrameThinning {

    /** What happens to a frame. */
    enum Verdict { KEEP, SKIP, DROP }

    private final int skip;
    private final double period;
    private double nextKeep = Double.NEGATIVE_INFINITY;
    private long seen;

    FrameThinning(VideoOptions options) {
        this.skip = options.skip();
        this.period = options.maxFps() > 0 ? 1 / options.maxFps() : 0;
    }

    /** Call once per frame read, in order. */
    Verdict judge(Frame frame) {
        if (seen++ % skip != 0) {
            return Verdict.SKIP;
        }
        if (period > 0) {
            double t = frame.timeSeconds();
            // the tolerance absorbs rounding in index / rate
            if (t < nextKeep - period * 1e-3) {
                return Verdict.DROP;
            }
            // keeps the average at maxFps; restarts the schedule after a gap in time
            nextKeep = t > nextKeep + period ? t + period : nextKeep + period;
        }
        return Verdict.KEEP;
    }
}
