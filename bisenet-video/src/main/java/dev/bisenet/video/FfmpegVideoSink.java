package dev.bisenet.video;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes frames to a video file through an {@code ffmpeg} child process reading raw frames on
 * its standard input: either the overlay (RGB) or the labels (grey, one byte per pixel).
 *
 * <p>Codec settings, chosen to be cheap because on a small machine the encoder competes with
 * the network for the same cores: overlays use H.264 with
 * {@code libx264 -preset ultrafast -tune zerolatency -crf 23 -pix_fmt yuv420p} in MP4 (no
 * B-frames, no lookahead; when this ffmpeg lacks libx264, {@code mpeg4 -q:v 5}); labels use the
 * lossless {@code ffv1} codec in Matroska, so class indices survive exactly. Pictures with an
 * odd height or width get one black row or column added, as yuv420p needs even sizes.
 *
 * <p>{@link #close()} closes ffmpeg's input and waits for it, which writes the MP4 index, so a
 * video cut short by an error or a cancellation is still playable. {@code -movflags +faststart}
 * is not used: it needs a second pass over the file.
 */
public final class FfmpegVideoSink implements FrameSink {

    /** How long {@link #close()} waits for ffmpeg to finish the file. */
    private static final long FINISH_SECONDS = 120;

    private final Path file;
    private final boolean labels;
    private Ffmpeg.Child child;
    private OutputStream stdin;
    private VideoInfo opened;

    private FfmpegVideoSink(Path file, boolean labels) {
        this.file = file;
        this.labels = labels;
    }

    /** A sink writing the overlays as an H.264 (or MPEG-4 part 2) video, normally {@code .mp4}. */
    public static FfmpegVideoSink overlay(Path file) {
        return new FfmpegVideoSink(file, false);
    }

    /** A sink writing the labels as a lossless grey video, normally {@code .mkv}. */
    public static FfmpegVideoSink labels(Path file) {
        return new FfmpegVideoSink(file, true);
    }

    /** {@code OUT/<stem>_overlay.mp4}, the overlay video's name for an input named stem. */
    public static Path overlayFile(Path outDir, String stem) {
        return outDir.resolve(stem + "_overlay.mp4");
    }

    /** {@code OUT/<stem>_labels.mkv}, the label video's name for an input named stem. */
    public static Path labelsFile(Path outDir, String stem) {
        return outDir.resolve(stem + "_labels.mkv");
    }

    /** The codec arguments the overlay video gets with this ffmpeg, for reports. */
    public static List<String> overlayCodec() {
        if (Ffmpeg.hasEncoder("libx264")) {
            return List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                    "-crf", "23");
        }
        return List.of("-c:v", "mpeg4", "-q:v", "5");
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    @Override
    public void open(VideoInfo output) throws IOException {
        if (opened != null) {
            throw new IllegalStateException(file + " is already open");
        }
        Path ffmpeg = Ffmpeg.require("ffmpeg", "writing video " + file);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        int h = output.height();
        int w = output.width();
        List<String> cmd = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error",
                "-y", "-f", "rawvideo", "-pix_fmt", labels ? "gray" : "rgb24", "-s", w + "x" + h,
                "-framerate", output.rate().toString(), "-i", "-"));
        if (labels) {
            cmd.addAll(List.of("-c:v", "ffv1", "-pix_fmt", "gray"));
        } else {
            if (h % 2 != 0 || w % 2 != 0) {
                cmd.addAll(List.of("-vf", "pad=" + (w + w % 2) + ":" + (h + h % 2)));
            }
            cmd.addAll(overlayCodec());
            cmd.addAll(List.of("-pix_fmt", "yuv420p"));
        }
        cmd.add(file.toString());
        child = Ffmpeg.Child.start(cmd, "writing " + file);
        stdin = child.process().getOutputStream();
        opened = output;
    }

    @Override
    public void write(SegmentedFrame s) throws IOException {
        if (opened == null) {
            throw new IllegalStateException(file + " is not open");
        }
        Frame f = s.frame();
        if (f.height() != opened.height() || f.width() != opened.width()) {
            throw new UserException("frame " + f.name() + " is " + f.height() + "x" + f.width()
                    + " but the video " + file + " is " + opened.height() + "x"
                    + opened.width() + "; a video needs frames of one size, so write frames of"
                    + " different sizes to a folder instead");
        }
        try {
            stdin.write(labels ? s.labelBytes() : s.overlay());
        } catch (IOException e) {
            // ffmpeg has gone (disk full, bad option): its own words are the useful part
            try {
                child.finish(5);
            } catch (IOException why) {
                throw new IOException("ffmpeg stopped while writing " + file + ": "
                        + why.getMessage(), e);
            }
            throw new IOException("ffmpeg stopped while writing " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (child == null) {
            return;
        }
        Ffmpeg.Child c = child;
        child = null;
        try {
            stdin.close();
        } catch (IOException e) {
            // ffmpeg already gone; finish() reports why
        }
        c.finish(FINISH_SECONDS);
    }
}
