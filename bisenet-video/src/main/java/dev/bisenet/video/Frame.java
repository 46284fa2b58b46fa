package dev.bisenet.video;

import java.util.Objects;

/**
 * One decoded picture: 8-bit RGB interleaved, row-major, shape (height, width, 3).
 *
 * @param index position of the frame in its source, counting from 0; frames a source found
 *     corrupt leave gaps, so indices increase but need not be consecutive
 * @param height picture height in pixels
 * @param width picture width in pixels
 * @param rgb the pixels, {@code height * width * 3} bytes
 * @param timeSeconds presentation time, {@code index / frame rate} for sources that have no
 *     better clock
 * @param stem a name for per-frame outputs (an image folder's file name without extension), or
 *     null when the source has none; see {@link #name()}
 */
public record Frame(long index, int height, int width, byte[] rgb, double timeSeconds,
        String stem) {

    /** The largest height or width accepted from any header or file. */
    public static final int MAX_SIDE = 16384;

    public Frame {
        checkSize(height, width, "frame " + index);
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException("frame " + index + " has " + rgb.length
                    + " bytes, expected " + height + "x" + width + "x3");
        }
    }

    /** The stem, or the zero-padded index when the source gave none. */
    public String name() {
        return stem != null ? stem : String.format("%06d", index);
    }

    /**
     * Checks a picture size read from an untrusted header before anything is allocated from
     * it: both sides in [1, {@link #MAX_SIDE}], which keeps {@code height * width * 3} within an
     * int.
     *
     * @param what names the file or stream in the message
     * @throws IllegalArgumentException when the size is out of range
     */
    public static void checkSize(long height, long width, String what) {
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new IllegalArgumentException(what + ": picture size " + height + "x" + width
                    + " (height x width) is outside 1.." + MAX_SIDE + " per side");
        }
    }
}
