package dev.bisenet.video;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * Frames of raw 8-bit RGB ({@code ffmpeg -f rawvideo -pix_fmt rgb24}) of a size the user
 * gives, since such a stream carries no header.
 */
public final class RawRgbSource implements FrameSource {

    private final InputStream in;
    private final String description;
    private final Consumer<String> warnings;
    private final VideoInfo info;
    private long index;
    private long corrupt;
    private boolean ended;

    /**
     * @param height picture height the user gave
     * @param width picture width the user gave
     * @param warnings told when the last frame is cut short
     * @throws UserException when one frame would be larger than 8K UHD
     */
    public RawRgbSource(InputStream in, String description, int height, int width,
            FrameRate rate, Consumer<String> warnings) {
        if ((long) height * width > Y4mSource.MAX_FRAME_PIXELS) {
            throw new UserException(description + ": raw frames of " + height + "x" + width
                    + " (height x width) are larger than the " + Y4mSource.MAX_FRAME_PIXELS
                    + " pixels (8K UHD) one frame may hold: scale the video down first");
        }
        this.in = in;
        this.description = description;
        this.warnings = warnings;
        this.info = new VideoInfo(height, width, rate, -1);
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    @Override
    public Frame next() throws IOException {
        if (ended) {
            return null;
        }
        int bytes = info.height() * info.width() * 3;
        // readNBytes(int) allocates as bytes arrive: a size that is too large costs no memory up front
        byte[] rgb = in.readNBytes(bytes);
        int n = rgb.length;
        if (n < bytes) {
            ended = true;
            if (n > 0) {
                corrupt++;
                warnings.accept(description + ": the last frame (" + index + ") is truncated ("
                        + n + " of " + bytes + " bytes; is the size " + info.height() + "x"
                        + info.width() + " right?) and was skipped");
            }
            return null;
        }
        long i = index++;
        return new Frame(i, info.height(), info.width(), rgb, i / info.rate().fps(), null);
    }

    @Override
    public long corruptFrames() {
        return corrupt;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
