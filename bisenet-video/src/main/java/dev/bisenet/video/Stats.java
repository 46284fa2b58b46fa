package dev.bisenet.video;

import java.util.Locale;

/**
 * What a {@link Pipeline} run did and how fast: frame counts, wall time, throughput, and each
 * stage's busy time per frame (time spent working, not waiting on a queue).
 *
 * @param framesIn frames read from the source
 * @param framesOut frames written to the sinks
 * @param dropped frames dropped by maxFps or because the pipeline was behind
 * @param skipped frames left out by the skip option
 * @param corrupt frames the source found corrupt and skipped
 * @param wallSeconds from start to the sinks being closed
 * @param fps framesOut / wallSeconds
 * @param steadyFps output rate after the warm-up frames, NaN when too few frames
 * @param warmupFrames frames left out of steadyFps
 * @param decodeMs busy milliseconds per frame read
 * @param preprocessMs per frame prepared
 * @param inferMs per frame inferred
 * @param postprocessMs per frame rendered
 * @param encodeMs per frame written
 * @param maxInFlight the most frames that were decoded but not yet inferred at one time
 * @param cancelled whether the run was cancelled before the end of the source
 */
public record Stats(long framesIn, long framesOut, long dropped, long skipped, long corrupt,
        double wallSeconds, double fps, double steadyFps, int warmupFrames, double decodeMs,
        double preprocessMs, double inferMs, double postprocessMs, double encodeMs,
        int maxInFlight, boolean cancelled) {

    /**
     * One line for people, e.g. {@code 312 frames in 20.4 s: 15.3 fps sustained (decode 3.1
     * ms, preprocess 2.0 ms, infer 61.2 ms, postprocess 4.4 ms, encode 5.0 ms per frame); 0
     * dropped, 1 corrupt}.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d frames in %.1f s: %.1f fps sustained",
                framesOut, wallSeconds, fps));
        if (!Double.isNaN(steadyFps)) {
            sb.append(String.format(Locale.ROOT, ", %.1f fps after %d warm-up frames", steadyFps,
                    warmupFrames));
        }
        sb.append(" (decode ").append(ms(decodeMs))
                .append(", preprocess ").append(ms(preprocessMs))
                .append(", infer ").append(ms(inferMs))
                .append(", postprocess ").append(ms(postprocessMs))
                .append(", encode ").append(ms(encodeMs))
                .append(" per frame); ")
                .append(dropped).append(" dropped, ");
        if (skipped > 0) {
            sb.append(skipped).append(" skipped, ");
        }
        sb.append(corrupt).append(" corrupt");
        if (cancelled) {
            sb.append("; cancelled");
        }
        return sb.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "- ms" : String.format(Locale.ROOT, "%.1f ms", v);
    }
}
