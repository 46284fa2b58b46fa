package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.video.VideoTestKit.FakeModel;
import dev.bisenet.video.VideoTestKit.MemorySink;
import dev.bisenet.video.VideoTestKit.MemorySource;
import dev.bisenet.util.UserException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pipeline's ordering, back-pressure, dropping rules, errors and cancellation. */
class PipelineTest {

    private static final FrameRate RATE30 = new FrameRate(30, 1);

    @AfterEach
    void noThreadLeft() throws InterruptedException {
        // a pipeline must have joined every thread before run() returns or throws
        assertEquals(java.util.Set.of(), VideoTestKit.livePipelineThreads());
    }

    private static PipelineBuilder pipeline(FrameSource source, FrameModel<?> model,
            FrameSink sink, VideoOptions options) {
        return Pipeline.builder().setSource(source).setModel(model)
                .setRenderer(new Renderer(VideoTestKit.PALETTE, 0.5)).addSink(sink)
                .optOptions(options);
    }

    private static List<Long> range(long n) {
        return LongStream.range(0, n).boxed().toList();
    }

    @Test
    void everyFrameComesOutInOrderWhenNoDroppingIsAsked() {
        MemorySource source = new MemorySource(40, 8, 12, RATE30, 0);
        FakeModel model = new FakeModel(5, 3);
        MemorySink sink = new MemorySink();
        Stats stats = pipeline(source, model, sink, VideoOptions.DEFAULTS).build().run();

        assertEquals(range(40), sink.indices);
        for (int i = 0; i < 40; i++) {
            assertEquals(i % 5, sink.labels.get(i), "label of frame " + i);
        }
        assertEquals(40, stats.framesIn());
        assertEquals(40, stats.framesOut());
        assertEquals(0, stats.dropped());
        assertEquals(0, stats.skipped());
        assertTrue(sink.closed);
        assertEquals(RATE30, sink.opened.rate());
        assertEquals(8, sink.opened.height());
        assertEquals(12, sink.opened.width());
        assertTrue(stats.inferMs() >= 3, "infer busy time includes the model's delay: "
                + stats.summary());
    }

    @Test
    void framesInFlightStayWithinTheQueueCapacities() {
        for (int capacity : new int[] {1, 2, 4}) {
            // the decoder is far faster than the model, so it fills every queue and waits
            MemorySource source = new MemorySource(30, 4, 4, RATE30, 0);
            Stats stats = pipeline(source, new FakeModel(3, 10), new MemorySink(),
                    VideoOptions.DEFAULTS.withQueueCapacity(capacity)).build().run();
            // two queues before the model, plus one frame held by each of decode,
            // preprocess and infer
            int bound = 2 * capacity + 3;
            assertTrue(stats.maxInFlight() <= bound, "capacity " + capacity + ": "
                    + stats.maxInFlight() + " frames in flight, bound " + bound);
            assertTrue(stats.maxInFlight() >= 2 * capacity + 1, "capacity " + capacity
                    + ": the queues never filled (" + stats.maxInFlight() + ")");
            assertEquals(30, stats.framesOut());
        }
    }

    @Test
    void skipKeepsEveryNthFrameAndDividesTheOutputRate() {
        MemorySource source = new MemorySource(30, 4, 4, RATE30, 0);
        MemorySink sink = new MemorySink();
        Stats stats = pipeline(source, new FakeModel(4, 0), sink,
                VideoOptions.DEFAULTS.withSkip(3)).build().run();
        assertEquals(List.of(0L, 3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L), sink.indices);
        assertEquals(20, stats.skipped());
        assertEquals(0, stats.dropped());
        assertEquals(10.0, sink.opened.rate().fps(), 1e-9);
    }

    @Test
    void maxFpsThinsByTimestamps() {
        MemorySource source = new MemorySource(30, 4, 4, RATE30, 0);
        MemorySink sink = new MemorySink();
        // queues large enough that nothing is dropped for being behind
        Stats stats = pipeline(source, new FakeModel(4, 0), sink,
                VideoOptions.DEFAULTS.withMaxFps(10).withQueueCapacity(64)).build().run();
        assertEquals(List.of(0L, 3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L), sink.indices);
        assertEquals(20, stats.dropped());
        assertEquals(new FrameRate(10, 1), sink.opened.rate());
    }

    @Test
    void aSlowModelDropsFramesOnlyWhenAsked() {
        // a paced source (2 ms per frame) and a model five times slower
        MemorySource paced = new MemorySource(60, 4, 4, RATE30, 2);
        MemorySink kept = new MemorySink();
        Stats all = pipeline(paced, new FakeModel(4, 10), kept, VideoOptions.DEFAULTS)
                .build().run();
        assertEquals(0, all.dropped());
        assertEquals(range(60), kept.indices);

        MemorySource live = new MemorySource(60, 4, 4, RATE30, 2);
        MemorySink thinned = new MemorySink();
        Stats drop = pipeline(live, new FakeModel(4, 10), thinned,
                VideoOptions.DEFAULTS.withDropWhenBehind(true)).build().run();
        assertTrue(drop.dropped() > 10, "a model 5x slower than the source must lose frames: "
                + drop.summary());
        assertEquals(60, drop.framesIn());
        assertEquals(60, drop.framesOut() + drop.dropped());
        List<Long> sorted = new ArrayList<>(thinned.indices);
        sorted.sort(null);
        assertEquals(sorted, thinned.indices, "frames stay in order when some are dropped");
    }

    @Test
    void aModelFailureStopsEveryStageAndNamesTheStage() {
        MemorySource source = new MemorySource(1000, 4, 4, RATE30, 0);
        MemorySink sink = new MemorySink();
        PipelineException e = assertThrows(PipelineException.class,
                () -> pipeline(source, new FakeModel(4, 1, 7), sink, VideoOptions.DEFAULTS)
                        .build().run());
        assertEquals("infer", e.stage());
        assertTrue(e.getMessage().contains("fake model failure on frame 7"), e.getMessage());
        // stopping at once loses the frames between the model and the sinks (at most the
        // queue capacities plus the two stages); those written are the first ones, in order
        int written = sink.indices.size();
        assertTrue(written <= 7, written + " frames written");
        assertEquals(range(written), sink.indices);
        assertTrue(sink.closed, "sinks are closed after a failure");
        assertTrue(source.read.get() < 30, "the decoder stopped promptly, read "
                + source.read.get());
    }

    @Test
    void anOutputFailureIsAUserErrorNamingTheStage() {
        MemorySource source = new MemorySource(50, 4, 4, RATE30, 0);
        UserException e = assertThrows(UserException.class,
                () -> pipeline(source, new FakeModel(4, 0), new MemorySink(3),
                        VideoOptions.DEFAULTS).build().run());
        assertTrue(e.getMessage().startsWith("video encode: "), e.getMessage());
        assertTrue(e.getMessage().contains("fake disk full at frame 3"), e.getMessage());
    }

    @Test
    void aWrongLabelCountIsReported() {
        FrameModel<Frame> bad = new FrameModel<>() {
            @Override
            public Frame prepare(Frame f) {
                return f;
            }

            @Override
            public int[] infer(Frame f) {
                return new int[3];
            }
        };
        PipelineException e = assertThrows(PipelineException.class,
                () -> pipeline(new MemorySource(5, 4, 4, RATE30, 0), bad, new MemorySink(),
                        VideoOptions.DEFAULTS).build().run());
        assertTrue(e.getMessage().contains("3 labels for frame 0 of 4x4"), e.getMessage());
    }

    @Test
    void cancelMidStreamEndsEveryThreadAndClosesTheSinks() throws Exception {
        MemorySource source = new MemorySource(100_000, 4, 4, RATE30, 0);
        MemorySink sink = new MemorySink();
        CountDownLatch tenWritten = new CountDownLatch(10);
        Pipeline p = pipeline(source, new FakeModel(4, 2), sink, VideoOptions.DEFAULTS)
                .optProgress(n -> tenWritten.countDown()).build();
        AtomicReference<Stats> result = new AtomicReference<>();
        Thread runner = new Thread(() -> result.set(p.run()), "test-runner");
        runner.start();
        assertTrue(tenWritten.await(30, TimeUnit.SECONDS));
        p.cancel();
        runner.join(10_000);
        assertTrue(!runner.isAlive(), "run() returned after cancel()");
        Stats stats = result.get();
        assertTrue(stats.cancelled());
        assertTrue(stats.framesOut() >= 10 && stats.framesOut() < 1000, stats.summary());
        assertEquals(range(stats.framesOut()), sink.indices);
        assertTrue(sink.closed);
        assertTrue(source.closed);
        p.close(); // idempotent after the run
    }

    @Test
    void cancelEndsARunWaitingForALiveStream() throws Exception {
        // a y4m stream that delivers three frames and then nothing, like a stalled camera
        PipedOutputStream camera = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(camera, 1 << 16);
        camera.write("YUV4MPEG2 W4 H2 F25:1 Cmono\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 3; i++) {
            camera.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
            camera.write(new byte[8]);
        }
        camera.flush();
        Y4mSource source = new Y4mSource(in, "camera", m -> { });
        MemorySink sink = new MemorySink();
        CountDownLatch threeWritten = new CountDownLatch(3);
        Pipeline p = pipeline(source, new FakeModel(4, 0), sink, VideoOptions.DEFAULTS)
                .optProgress(n -> threeWritten.countDown()).build();
        AtomicReference<Stats> result = new AtomicReference<>();
        Thread runner = new Thread(() -> result.set(p.run()), "test-runner");
        runner.start();
        assertTrue(threeWritten.await(30, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        p.close(); // cancels and waits
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "close() returned promptly");
        runner.join(10_000);
        assertTrue(result.get().cancelled());
        assertEquals(List.of(0L, 1L, 2L), sink.indices);
        camera.close();
    }

    @Test
    void closeBeforeRunReleasesTheSourceAndSinks() {
        MemorySource source = new MemorySource(10, 4, 4, RATE30, 0);
        MemorySink sink = new MemorySink();
        Pipeline p = pipeline(source, new FakeModel(4, 0), sink, VideoOptions.DEFAULTS).build();
        p.close();
        assertTrue(source.closed);
        assertTrue(sink.closed);
        Stats stats = p.run();
        assertTrue(stats.cancelled());
        assertEquals(0, stats.framesOut());
        assertThrows(IllegalStateException.class, p::run);
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> VideoOptions.DEFAULTS
                .withQueueCapacity(0));
        assertThrows(IllegalArgumentException.class, () -> VideoOptions.DEFAULTS.withSkip(0));
        assertThrows(IllegalArgumentException.class, () -> VideoOptions.DEFAULTS
                .withMaxFps(Double.NaN));
        assertEquals(new FrameRate(30000, 3003),
                VideoOptions.DEFAULTS.withSkip(3).outputRate(new FrameRate(30000, 1001)));
        assertEquals(new FrameRate(12, 1),
                VideoOptions.DEFAULTS.withMaxFps(12).outputRate(RATE30));
        assertEquals(RATE30, VideoOptions.DEFAULTS.withMaxFps(60).outputRate(RATE30));
    }

    @Test
    void summaryReadsLikeTheExample() {
        Stats s = new Stats(313, 312, 0, 0, 1, 20.4, 312 / 20.4, 15.9, 5, 3.1, 2.0, 61.2, 4.4,
                5.0, 7, false);
        assertEquals("312 frames in 20.4 s: 15.3 fps sustained, 15.9 fps after 5 warm-up frames"
                + " (decode 3.1 ms, preprocess 2.0 ms, infer 61.2 ms, postprocess 4.4 ms,"
                + " encode 5.0 ms per frame); 0 dropped, 1 corrupt", s.summary());
        Stats none = new Stats(0, 0, 0, 2, 0, 0.5, 0, Double.NaN, 5, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, 0, true);
        assertEquals("0 frames in 0.5 s: 0.0 fps sustained (decode - ms, preprocess - ms,"
                + " infer - ms, postprocess - ms, encode - ms per frame); 0 dropped, 2 skipped,"
                + " 0 corrupt; cancelled", none.summary());
    }
}
