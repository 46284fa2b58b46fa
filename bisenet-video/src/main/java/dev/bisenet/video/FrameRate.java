package dev.bisenet.video;

/**
 * A frame rate as an exact fraction of frames per second, so that NTSC rates such as
 * 30000/1001 reach the encoder unrounded and the output keeps the input's timing.
 *
 * @param num frames
 * @param den seconds
 */
public record FrameRate(int num, int den) {

    /** The rate used when a source says nothing (a folder of images, a raw stream). */
    public static final FrameRate DEFAULT = new FrameRate(25, 1);

    public FrameRate {
        if (num <= 0 || den <= 0) {
            throw new IllegalArgumentException("frame rate must be positive, got " + num + "/"
                    + den);
        }
    }

    /**
     * Parses {@code N/D}, {@code N:D} (YUV4MPEG2) or a plain number of frames per second such
     * as {@code 25} or {@code 29.97}.
     *
     * @throws IllegalArgumentException when the text is not a positive rate
     */
    public static FrameRate parse(String text) {
        String t = text.trim();
        int sep = Math.max(t.indexOf('/'), t.indexOf(':'));
        try {
            if (sep >= 0) {
                return new FrameRate(Integer.parseInt(t.substring(0, sep)),
                        Integer.parseInt(t.substring(sep + 1)));
            }
            return of(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a frame rate: '" + text
                    + "' (expected e.g. 25, 29.97 or 30000/1001)", e);
        }
    }

    /** The fraction nearest {@code fps} with denominator 1000 (1 when fps is whole). */
    public static FrameRate of(double fps) {
        if (!(fps > 0) || fps > 1e6) {
            throw new IllegalArgumentException("frame rate must be in (0, 1e6], got " + fps);
        }
        if (fps == Math.rint(fps)) {
            return new FrameRate((int) fps, 1);
        }
        return new FrameRate((int) Math.round(fps * 1000), 1000);
    }

    /** Frames per second as a double. */
    public double fps() {
        return (double) num / den;
    }

    /** This rate divided by {@code n}, for keeping every n-th frame. */
    public FrameRate divide(int n) {
        long d = (long) den * n;
        if (d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame rate " + this + " / " + n
                    + " is too small");
        }
        return new FrameRate(num, (int) d);
    }

    /** {@code num/den}, as ffmpeg's {@code -framerate} and {@code -r} options take it. */
    @Override
    public String toString() {
        return num + "/" + den;
    }
}
