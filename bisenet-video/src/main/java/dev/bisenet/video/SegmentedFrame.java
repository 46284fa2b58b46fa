package dev.bisenet.video;

/**
 * A frame with its predicted labels and the rendered overlay, as the sinks receive it.
 *
 * @param frame the input frame
 * @param labels class index per pixel, shape (height, width)
 * @param overlay the frame with the label colours blended in, RGB interleaved, shape
 *     (height, width, 3)
 */
public record SegmentedFrame(Frame frame, int[] labels, byte[] overlay) {

    public SegmentedFrame {
        int pixels = frame.height() * frame.width();
        if (labels.length != pixels || overlay.length != pixels * 3) {
            throw new IllegalArgumentException("frame " + frame.index() + " is "
                    + frame.height() + "x" + frame.width() + " but has " + labels.length
                    + " labels and " + overlay.length + " overlay bytes");
        }
    }

    /**
     * The labels as one byte per pixel, for grey label images and videos.
     *
     * @throws IllegalArgumentException when a label does not fit in 0..255
     */
    public byte[] labelBytes() {
        byte[] out = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int v = labels[i];
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("frame " + frame.index() + " has label " + v
                        + " at pixel " + i + "; label images hold 0..255 only");
            }
            out[i] = (byte) v;
        }
        return out;
    }
}
