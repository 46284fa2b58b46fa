package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bisenet.video.VideoTestKit.FakeModel;
import dev.bisenet.util.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole videos through ffmpeg: frame count, order, rate, playability after errors and cancel. */
class FfmpegVideoTest {

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void needsFfmpeg() {
        assumeTrue(Ffmpeg.available(), "ffmpeg/ffprobe are not on the PATH; skipping the video"
                + " file tests (apt-get install ffmpeg)");
    }

    @AfterEach
    void nothingLeftRunning() throws InterruptedException {
        assertEquals(Set.of(), VideoTestKit.livePipelineThreads());
        // every ffmpeg child has been waited for or killed
        for (int i = 0; i < 50 && ProcessHandle.current().children().findAny().isPresent(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), ProcessHandle.current().children()
                .map(p -> p.info().commandLine().orElse("?")).toList());
    }

    private static PipelineBuilder pipeline(FrameSource source, FakeModel model,
            FrameSink... sinks) {
        PipelineBuilder b = Pipeline.builder().setSource(source).setModel(model)
                .setRenderer(new Renderer(VideoTestKit.PALETTE, 1.0));
        for (FrameSink s : sinks) {
            b.addSink(s);
        }
        return b;
    }

    /** Checks that frame k of the overlay video shows palette colour k mod 8. */
    private void assertOverlayEncodesIndices(Path video, long frames) throws Exception {
        try (FfmpegVideoSource out = new FfmpegVideoSource(video, warnings::add)) {
            for (long k = 0; k < frames; k++) {
                Frame f = out.next();
                assertEquals(k, f.index());
                double[] c = VideoTestKit.meanColour(f);
                assertEquals(k % 8, VideoTestKit.nearestPaletteIndex(c[0], c[1], c[2]),
                        "colour of output frame " + k);
            }
            assertNull(out.next());
        }
    }

    @Test
    void aVideoGoesThroughWithEveryFrameInOrderAtItsRate() throws Exception {
        Path input = FfmpegTestUtil.testVideo(tmp, "clip.mp4", 64, 96, 10, 30, "-c:v",
                "libx264", "-pix_fmt", "yuv420p");
        Path outDir = tmp.resolve("out");
        Path overlay = FfmpegVideoSink.overlayFile(outDir, "clip");
        Path labels = FfmpegVideoSink.labelsFile(outDir, "clip");
        Stats stats;
        try (FfmpegVideoSource source = new FfmpegVideoSource(input, warnings::add)) {
            assertEquals(new VideoInfo(64, 96, new FrameRate(10, 1), 30), source.info());
            stats = pipeline(source, new FakeModel(8, 5), FfmpegVideoSink.overlay(overlay),
                    FfmpegVideoSink.labels(labels)).build().run();
        }
        assertEquals(30, stats.framesIn());
        assertEquals(30, stats.framesOut());
        assertEquals(0, stats.dropped());
        assertEquals(outDir.resolve("clip_overlay.mp4"), overlay);
        assertEquals(30, FfmpegTestUtil.countFrames(overlay));
        assertEquals("10/1", FfmpegTestUtil.rate(overlay));
        assertOverlayEncodesIndices(overlay, 30);

        // the label video is lossless: every pixel of frame k is exactly k mod 8
        assertEquals(30, FfmpegTestUtil.countFrames(labels));
        try (FfmpegVideoSource lab = new FfmpegVideoSource(labels, warnings::add)) {
            for (int k = 0; k < 30; k++) {
                byte[] rgb = lab.next().rgb();
                for (byte b : rgb) {
                    assertEquals(k % 8, b, "label video frame " + k);
                }
            }
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void oddSizesAndNtscRatesSurvive() throws Exception {
        Path input = tmp.resolve("odd.mkv");
        // testsrc at 30000/1001 fps, 33x47, as lossless ffv1 so the decoder sees odd sizes
        FfmpegTestUtil.run("-f", "lavfi", "-i", "testsrc=size=47x33:rate=30000/1001",
                "-frames:v", "12", "-c:v", "ffv1", input.toString());
        Path overlay = tmp.resolve("odd_overlay.mp4");
        try (FfmpegVideoSource source = new FfmpegVideoSource(input, warnings::add)) {
            assertEquals(new FrameRate(30000, 1001), source.info().rate());
            pipeline(source, new FakeModel(8, 0), FfmpegVideoSink.overlay(overlay)).build()
                    .run();
        }
        assertEquals(12, FfmpegTestUtil.countFrames(overlay));
        assertEquals("30000/1001", FfmpegTestUtil.rate(overlay));
        assertEquals("48,34", FfmpegTestUtil.probe("-select_streams", "v:0", "-show_entries",
                "stream=width,height", "-of", "csv=p=0", overlay.toString()));
    }

    @Test
    void cancelLeavesAPlayableVideoAndNoThreadOrProcess() throws Exception {
        Path input = FfmpegTestUtil.testVideo(tmp, "long.mp4", 64, 96, 25, 500, "-c:v",
                "libx264");
        Path overlay = tmp.resolve("long_overlay.mp4");
        CountDownLatch someWritten = new CountDownLatch(8);
        AtomicReference<Stats> result = new AtomicReference<>();
        FfmpegVideoSource source = new FfmpegVideoSource(input, warnings::add);
        Pipeline p = pipeline(source, new FakeModel(8, 10), FfmpegVideoSink.overlay(overlay))
                .optProgress(n -> someWritten.countDown()).build();
        Thread runner = new Thread(() -> result.set(p.run()), "test-runner");
        runner.start();
        assertTrue(someWritten.await(60, TimeUnit.SECONDS));
        p.cancel();
        runner.join(60_000);
        assertFalse(runner.isAlive());
        Stats stats = result.get();
        assertTrue(stats.cancelled());
        assertTrue(stats.framesOut() >= 8 && stats.framesOut() < 500, stats.summary());
        // every frame handed to ffmpeg is in the file, and the file plays
        assertEquals(stats.framesOut(), FfmpegTestUtil.countFrames(overlay));
        assertOverlayEncodesIndices(overlay, stats.framesOut());
    }

    @Test
    void aSignalToTheJvmFinishesThePartialVideo() throws Exception {
        Path overlay = tmp.resolve("signalled_overlay.mp4");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName(), overlay.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(
                child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("written 10")) {
                // wait until ten frames are in the encoder
            }
            assertEquals("written 10", line, "the child program stopped early");
            List<ProcessHandle> encoders = child.descendants().toList();
            assertFalse(encoders.isEmpty(), "the child runs ffmpeg");
            child.destroy(); // SIGTERM: the JVM runs its shutdown hooks
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exited");
            // the hook waited for ffmpeg to finish the file before letting the JVM exit
            // (without it, ffmpeg would still be finishing the file on its own)
            assertEquals(List.of(), encoders.stream().filter(ProcessHandle::isAlive).toList());
        } finally {
            child.destroyForcibly();
        }
        long frames = FfmpegTestUtil.countFrames(overlay);
        assertTrue(frames >= 10, frames + " frames in the video");
        assertOverlayEncodesIndices(overlay, frames);
    }

    @Test
    void aModelErrorStillFinishesThePartialVideo() throws Exception {
        Path input = FfmpegTestUtil.testVideo(tmp, "clip.mp4", 64, 96, 10, 40, "-c:v",
                "libx264");
        Path overlay = tmp.resolve("clip_overlay.mp4");
        try (FfmpegVideoSource source = new FfmpegVideoSource(input, warnings::add)) {
            PipelineException e = assertThrows(PipelineException.class,
                    () -> pipeline(source, new FakeModel(8, 20, 12),
                            FfmpegVideoSink.overlay(overlay)).build().run());
            assertEquals("infer", e.stage());
        }
        // the error stops every stage at once, so frames 0..11 that were still between the
        // model and the encoder are lost; those written before make a playable video
        long written = FfmpegTestUtil.countFrames(overlay);
        assertTrue(written >= 1 && written <= 12, written + " frames");
        assertOverlayEncodesIndices(overlay, written);
    }

    @Test
    void aFileThatIsNotAVideoIsAUserError() throws Exception {
        Path notVideo = Files.writeString(tmp.resolve("notes.mp4"), "hello");
        UserException e = assertThrows(UserException.class,
                () -> new FfmpegVideoSource(notVideo, warnings::add));
        assertTrue(e.getMessage().contains("notes.mp4"), e.getMessage());
    }

    @Test
    void framesOfAnotherSizeCannotGoIntoOneVideo() throws Exception {
        Path in = Files.createDirectory(tmp.resolve("mixed"));
        for (int i = 0; i < 3; i++) {
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8 + 2 * i, 6,
                    java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "png",
                    in.resolve(i + ".png").toFile());
        }
        Path overlay = tmp.resolve("mixed_overlay.mp4");
        try (ImageFolderSource source = new ImageFolderSource(in, FrameRate.DEFAULT,
                warnings::add)) {
            UserException e = assertThrows(UserException.class, () -> pipeline(source,
                    new FakeModel(8, 0), FfmpegVideoSink.overlay(overlay)).build().run());
            assertTrue(e.getMessage().contains("write frames of different sizes to a folder"),
                    e.getMessage());
        }
        assertEquals(1, FfmpegTestUtil.countFrames(overlay));
    }

    @Test
    void aVideoIsScaledWhenAsked() throws Exception {
        Path input = FfmpegTestUtil.testVideo(tmp, "clip.mp4", 64, 96, 10, 3, "-c:v",
                "libx264");
        try (FfmpegVideoSource s = new FfmpegVideoSource(input, 32, 40, warnings::add)) {
            assertEquals(32, s.info().height());
            Frame f = s.next();
            assertEquals(40, f.width());
            assertEquals(32 * 40 * 3, f.rgb().length);
        }
    }
}
