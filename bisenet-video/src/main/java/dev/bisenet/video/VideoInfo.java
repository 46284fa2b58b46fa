package dev.bisenet.video;

/**
 * What a stream of frames looks like before its frames are read.
 *
 * @param height picture height of the frames (of the first frame for an image folder, whose
 *     pictures may differ)
 * @param width picture width
 * @param rate frames per second
 * @param frameCount number of frames when the container says so, otherwise -1
 */
public record VideoInfo(int height, int width, FrameRate rate, long frameCount) {

    public VideoInfo {
        Frame.checkSize(height, width, "video");
        if (rate == null) {
            throw new IllegalArgumentException("rate is required");
        }
    }
}
