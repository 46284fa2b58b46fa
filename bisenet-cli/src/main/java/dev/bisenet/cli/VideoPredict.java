package dev.bisenet.cli;

import dev.bisenet.infer.Segmenter;
import dev.bisenet.video.BackendFrameModel;
import dev.bisenet.video.FfmpegVideoSink;
import dev.bisenet.video.FfmpegVideoSource;
import dev.bisenet.video.FrameRate;
import dev.bisenet.video.FrameSource;
import dev.bisenet.video.FrameSources;
import dev.bisenet.video.Pipeline;
import dev.bisenet.video.Renderer;
import dev.bisenet.video.Stats;
import dev.bisenet.video.VideoOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The video half of {@code predict}: a video file or standard input through the frame pipeline. */
final class VideoPredict {

    static final List<String> VIDEO_EXTENSIONS = List.of("mp4", "mkv", "avi", "mov", "webm", "m4v", "mpg", "mpeg",
            "ts", "flv", "wmv", "y4m", "3gp");

    private VideoPredict() {}

    static boolean isVideo(String input) {
        if (input.equals(FrameSources.STDIN)) return true;
        String n = input.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && VIDEO_EXTENSIONS.contains(n.substring(dot + 1)) && !Files.isDirectory(Path.of(input));
    }

    /**
     * @param size {h, w} to process frames at (ffmpeg scales while decoding), or null for native
     * @return the pipeline's figures
     */
    static Stats run(Segmenter seg, String input, Path output, int[] size, int[] rawSize, FrameRate rate,
            VideoOptions options, boolean labels, float alpha, PrintStream log) throws IOException {
        Files.createDirectories(output);
        FrameSource source = size != null && !input.equals(FrameSources.STDIN)
                ? new FfmpegVideoSource(Path.of(input), size[0], size[1], w -> log.println("warning: " + w))
                : FrameSources.open(input, rawSize, rate, w -> log.println("warning: " + w));
        String stem = input.equals(FrameSources.STDIN) ? "stdin" : PredictCommand.stem(Path.of(input));
        Path overlay = FfmpegVideoSink.overlayFile(output, stem);
        var builder = Pipeline.builder()
                .setSource(source)
                .setModel(new BackendFrameModel(seg.backend(), seg.info().mean(), seg.info().std()))
                .setRenderer(new Renderer(seg.info().palette(), alpha))
                .addSink(FfmpegVideoSink.overlay(overlay))
                .optOptions(options)
                .optWarnings(w -> log.println("warning: " + w))
                .optCancelOnShutdown(true);
        Path labelFile = null;
        if (labels) {
            labelFile = FfmpegVideoSink.labelsFile(output, stem);
            builder.addSink(FfmpegVideoSink.labels(labelFile));
        }
        log.println("video: " + source.description() + " -> " + overlay + (labelFile != null ? " and " + labelFile : ""));
        try (Pipeline p = builder.build()) {
            Stats s = p.run();
            log.println(s.summary());
            return s;
        }
    }
}
