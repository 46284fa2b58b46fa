package dev.bisenet.video;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Frames of a video file decoded by an {@code ffmpeg} child process into raw RGB on its
 * standard output ({@code -f rawvideo -pix_fmt rgb24}), after {@code ffprobe} has told the size
 * and rate.
 *
 * <p>ffmpeg writes every decoded frame once (the rawvideo muxer has no timestamps, so nothing
 * is duplicated or dropped to force a constant rate); frame times are {@code index / rate},
 * which is exact for constant-rate videos and an approximation for variable-rate ones.
 */
public final class FfmpegVideoSource implements FrameSource {

    private final Path file;
    private final VideoInfo info;
    private final Consumer<String> warnings;
    private final Ffmpeg.Child child;
    private final InputStream frames;
    private final int frameBytes;
    private long index;
    private long corrupt;
    private volatile boolean closed;
    private boolean ended;

    /**
     * Opens a video at its own size.
     *
     * @param warnings told about a truncated last frame or decoding errors
     * @throws UserException when ffmpeg is missing, or the file is missing or not a video
     */
    public FfmpegVideoSource(Path file, Consumer<String> warnings) {
        this(file, 0, 0, warnings);
    }

    /**
     * Opens a video, scaled by ffmpeg to {@code height x width} when both are positive (the
     * model takes any size, so scaling is only for speed).
     */
    public FfmpegVideoSource(Path file, int height, int width, Consumer<String> warnings) {
        Path ffmpeg = Ffmpeg.require("ffmpeg", "reading video file " + file);
        VideoInfo probed = Ffmpeg.probe(file);
        boolean scale = height > 0 && width > 0;
        if (scale) {
            try {
                Frame.checkSize(height, width, "requested processing size");
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
        }
        this.file = file;
        this.warnings = warnings;
        this.info = scale ? new VideoInfo(height, width, probed.rate(), probed.frameCount())
                : probed;
        this.frameBytes = info.height() * info.width() * 3;
        List<String> cmd = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error",
                "-i", file.toString(), "-map", "0:v:0", "-an", "-sn"));
        if (scale) {
            cmd.addAll(List.of("-vf", "scale=" + width + ":" + height));
        }
        cmd.addAll(List.of("-f", "rawvideo", "-pix_fmt", "rgb24", "-"));
        try {
            this.child = Ffmpeg.Child.start(cmd, "decoding " + file);
            child.process().getOutputStream().close();
        } catch (IOException e) {
            throw new UserException("cannot start ffmpeg to read " + file + ": "
                    + e.getMessage(), e);
        }
        this.frames = child.process().getInputStream();
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    @Override
    public Frame next() throws IOException {
        if (ended || closed) {
            return null;
        }
        byte[] rgb = new byte[frameBytes];
        int n = frames.readNBytes(rgb, 0, frameBytes);
        if (n == frameBytes) {
            long i = index++;
            return new Frame(i, info.height(), info.width(), rgb, i / info.rate().fps(), null);
        }
        ended = true;
        if (closed) {
            return null;
        }
        if (n > 0) {
            corrupt++;
            warnings.accept(file + ": the last frame (" + index + ") is truncated (" + n + " of "
                    + frameBytes + " bytes) and was skipped");
        }
        try {
            child.finish(30);
        } catch (IOException e) {
            if (index == 0) {
                throw new UserException("ffmpeg could not decode " + file + ": "
                        + e.getMessage(), e);
            }
            // the frames before the error are good; say what went wrong and end there
            warnings.accept(file + ": decoding stopped after frame " + (index - 1) + ": "
                    + e.getMessage());
        }
        return null;
    }

    @Override
    public long corruptFrames() {
        return corrupt;
    }

    @Override
    public String description() {
        return file.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // killing ffmpeg ends a read blocked on its pipe (closing the pipe alone would not)
        child.kill();
        try {
            frames.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
