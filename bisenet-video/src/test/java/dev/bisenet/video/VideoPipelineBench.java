package dev.bisenet.video;

import dev.bisenet.infer.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark, not a test: how close the pipeline gets to the network's own rate when decoding,
 * normalising, rendering and encoding run beside it. The "network" sleeps a fixed time per
 * frame, so the ideal rate is 1000 / sleep fps; the pipeline hides the rest if it reaches it.
 * Also measures ffmpeg's decoder and encoder alone at the same size.
 *
 * <p>Run: {@code mvn -q test-compile && java -cp target/classes:target/test-classes:$(cat cp.txt)
 * dev.bisenet.video.VideoPipelineBench [frames] [sleepMs...]} (cp.txt from
 * {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class VideoPipelineBench {

    private static final int HEIGHT = 512;
    private static final int WIDTH = 1024;
    private static final int RUNS = 3;

    private VideoPipelineBench() {
    }

    /** A backend that sleeps instead of computing, with one class so arg-max is trivial. */
    static final class SleepingBackend implements Backend {
        private final long sleepMs;

        SleepingBackend(long sleepMs) {
            this.sleepMs = sleepMs;
        }

        @Override
        public int numClasses() {
            return 1;
        }

        @Override
        public float[] logits(float[] nchw, int n, int h, int w) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new float[n * h * w];
        }

        @Override
        public int[] labels(float[] nchw, int n, int h, int w) {
            logits(nchw, n, h, w);
            return new int[n * h * w];
        }

        @Override
        public String name() {
            return "sleep " + sleepMs + " ms";
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) throws Exception {
        if (!Ffmpeg.available()) {
            System.out.println("ffmpeg is not on the PATH; nothing to measure");
            return;
        }
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        long[] sleeps = args.length > 1
                ? Arrays.stream(args, 1, args.length).mapToLong(Long::parseLong).toArray()
                : new long[] {66, 40, 25};
        Path dir = Files.createTempDirectory("bisenet-video-bench");
        try {
            System.out.println("overlay codec: " + String.join(" ",
                    FfmpegVideoSink.overlayCodec()) + " -pix_fmt yuv420p");
            System.out.println("cores: " + Runtime.getRuntime().availableProcessors());
            Path synthetic = FfmpegTestUtil.testVideo(dir, "testsrc.mp4", HEIGHT, WIDTH, 30,
                    frames, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
            bench("testsrc (synthetic pattern)", synthetic, frames, sleeps, dir);
            Path camvid = camvidTestImages();
            if (camvid != null) {
                // real street scenes: harder for the encoder than a test pattern
                Path real = dir.resolve("camvid.mp4");
                FfmpegTestUtil.run("-framerate", "30", "-pattern_type", "glob", "-i",
                        camvid + "/*.png", "-frames:v", String.valueOf(frames), "-vf",
                        "scale=" + WIDTH + ":" + HEIGHT, "-c:v", "libx264", "-preset",
                        "ultrafast", "-pix_fmt", "yuv420p", real.toString());
                bench("CamVid test images, scaled", real, frames, sleeps, dir);
            } else {
                System.out.println("CamVid not found (BISENET_CAMVID or ../shared/data/camvid);"
                        + " real-content figures skipped");
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path camvidTestImages() {
        String env = System.getenv("BISENET_CAMVID");
        Path root = env != null ? Path.of(env) : dev.bisenet.util.TestPaths.shared("data/camvid");
        Path test = root.resolve("test");
        return Files.isDirectory(test) ? test : null;
    }

    private static void bench(String name, Path input, int frames, long[] sleeps, Path dir)
            throws Exception {
        VideoInfo info = Ffmpeg.probe(input);
        System.out.printf(Locale.ROOT, "%n== %s: %d frames of %dx%d (height x width)%n", name,
                frames, info.height(), info.width());
        List<Frame> decoded = new ArrayList<>();
        List<Double> decodeFps = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            decoded.clear();
            long t0 = System.nanoTime();
            long n = 0;
            try (FfmpegVideoSource s = new FfmpegVideoSource(input, m -> { })) {
                for (Frame f; (f = s.next()) != null; n++) {
                    if (decoded.size() < 60) {
                        decoded.add(f);
                    }
                }
            }
            decodeFps.add(n / ((System.nanoTime() - t0) / 1e9));
        }
        report("ffmpeg decode alone (rgb24 out)", decodeFps);

        Renderer renderer = new Renderer(VideoTestKit.PALETTE, 0.5);
        int[] labels = new int[info.height() * info.width()];
        List<Double> encodeFps = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            Path out = dir.resolve("enc" + r + ".mp4");
            long t0 = System.nanoTime();
            try (FfmpegVideoSink sink = FfmpegVideoSink.overlay(out)) {
                sink.open(new VideoInfo(info.height(), info.width(), info.rate(), -1));
                for (int i = 0; i < frames; i++) {
                    Frame f = decoded.get(i % decoded.size());
                    sink.write(new SegmentedFrame(f, labels, f.rgb()));
                }
            }
            encodeFps.add(frames / ((System.nanoTime() - t0) / 1e9));
        }
        report("ffmpeg encode alone (rgb24 in)", encodeFps);

        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            renderer.render(decoded.get(i % decoded.size()), labels);
        }
        System.out.printf(Locale.ROOT, "%-44s %.1f ms per frame%n", "render alone",
                (System.nanoTime() - t0) / 1e6 / frames);

        float[] mean = {0.3257f, 0.3690f, 0.3223f};
        float[] std = {0.2112f, 0.2148f, 0.2115f};
        for (long sleep : sleeps) {
            List<Double> fps = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            Stats last = null;
            for (int r = 0; r < RUNS; r++) {
                Path out = dir.resolve("pipe" + r + ".mp4");
                double cpu0 = cpuSeconds();
                try (FfmpegVideoSource source = new FfmpegVideoSource(input, m -> { })) {
                    last = Pipeline.builder().setSource(source)
                            .setModel(new BackendFrameModel(new SleepingBackend(sleep), mean,
                                    std))
                            .setRenderer(renderer)
                            .addSink(FfmpegVideoSink.overlay(out))
                            .build().run();
                }
                fps.add(last.steadyFps());
                cpu.add((cpuSeconds() - cpu0) * 1000 / last.framesOut());
            }
            report(String.format(Locale.ROOT, "pipeline, network %d ms (ideal %.1f fps)",
                    sleep, 1000.0 / sleep), fps);
            System.out.println("    last run: " + last.summary());
            double[] c = cpu.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "    CPU per frame besides the network (JVM + ffmpeg"
                    + " children): min %.1f ms, median %.1f ms%n", c[0], c[c.length / 2]);
        }
    }

    /**
     * CPU time of this process and its waited-for children (the ffmpeg processes, reaped by
     * the JVM) from /proc, in seconds; NaN where /proc is missing.
     */
    private static double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14-17 of proc(5): utime, stime, cutime, cstime; f[0] is field 3
            long ticks = 0;
            for (int i = 11; i <= 14; i++) {
                ticks += Long.parseLong(f[i]);
            }
            return ticks / 100.0; // USER_HZ is 100 on Linux
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static void report(String what, List<Double> fps) {
        double[] s = fps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-44s min %.1f fps, median %.1f fps (%d runs)%n", what,
                s[0], s[s.length / 2], s.length);
    }
}
