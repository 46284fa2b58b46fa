package dev.bisenet.video;

import java.nio.file.Path;

/**
 * A child program for {@link FfmpegVideoTest}: writes a long video through a slow fake model
 * with the shutdown hook on, printing each frame written, until the test stops it with a
 * signal.
 */
public final class ShutdownHookMain {

    private ShutdownHookMain() {
    }

    public static void main(String[] args) {
        VideoTestKit.MemorySource source = new VideoTestKit.MemorySource(100_000, 64, 96,
                new FrameRate(25, 1), 0);
        Stats stats = Pipeline.builder().setSource(source)
                .setModel(new VideoTestKit.FakeModel(8, 20))
                .setRenderer(new Renderer(VideoTestKit.PALETTE, 1.0))
                .addSink(FfmpegVideoSink.overlay(Path.of(args[0])))
                .optProgress(n -> {
                    System.out.println("written " + n);
                    System.out.flush();
                })
                .optCancelOnShutdown(true)
                .build().run();
        System.out.println("done: " + stats.summary());
    }
}
