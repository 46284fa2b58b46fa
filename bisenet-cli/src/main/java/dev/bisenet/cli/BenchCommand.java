package dev.bisenet.cli;

import dev.bisenet.infer.Backend;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bisenet bench}: network latency and throughput, in the format scripts read. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the network on a random normalised input: warm-up runs, then one line per batch size,",
            "batch 1 first:  batch 1: median 149.1 ms, min 143.2 ms, p90 152.0 ms, 6.7 img/s",
            "The time covers what predict does per call: input in, class labels out (argmax in the engine)."},
        footer = {"", "Examples:",
            "  ./bisenet bench --checkpoint models/bisenetv2_camvid.pth --size 512x1024",
            "  ./bisenet bench --checkpoint model.onnx --backend onnx --batch 1,4 --runs 30"})
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--size", defaultValue = "512x1024", paramLabel = "HxW", description = "Input size, height x width (default 512x1024).")
    String size;

    @Option(names = "--batch", defaultValue = "1", split = ",", description = "Batch sizes (default 1).")
    List<Integer> batches;

    @Option(names = "--runs", defaultValue = "20", description = "Timed runs per batch size (default 20).")
    int runs;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first (at least 5).")
    int warmup;

    @Option(names = "--output", defaultValue = "labels", description = "labels (default, as predict), logits (copied into a Java array),"
            + " or none (the network alone: the logits stay in the engine, as in a Python benchmark).")
    String output;

    @Option(names = "--train", description = "Time training steps instead (booster heads, OHEM, SGD) at --batch and --size.")
    boolean train;

    @Option(names = "--profile", paramLabel = "FILE", description = "pytorch backend and --train: write libtorch's profile of the timed runs"
            + " (Chrome trace JSON: open in chrome://tracing or Perfetto; per-operator times and shapes).")
    Path profile;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws IOException {
        common.configureEngine();
        int[] hw = dev.bisenet.image.Sizes.parse(size, "--size");
        if (hw[0] % 32 != 0 || hw[1] % 32 != 0) {
            throw new UserException("--size " + size + ": bench runs the network directly, so use multiples of 32");
        }
        if (warmup < 5) throw new UserException("--warmup must be at least 5");
        if (runs < 1) throw new UserException("--runs must be at least 1");
        if (!List.of("labels", "logits", "none").contains(output)) {
            throw new UserException("--output " + output + ": use labels, logits or none");
        }
        if (model.classes == null && model.checkpoint == null && model.preset == null) {
            model.classes = 19;
        }
        System.out.println("machine: " + machine());
        if (train) {
            return trainBench(hw);
        }
        try (Backend b = model.openBackend(System.out, common.threads()).backend()) {
            if (profile != null && !b.name().equals("pytorch")) {
                throw new UserException("--profile needs --backend pytorch (or --train): it records libtorch's operators");
            }
            System.out.printf(Locale.ROOT, "settings: backend %s, precision %s, input %dx%d (HxW), output %s, %d threads,"
                    + " %d warm-up + %d timed runs; malloc %s%n", b.name(), model.precision, hw[0], hw[1], output,
                    common.threads(), warmup, runs, Allocator.describe());
            for (int n : new TreeSet<>(batches)) {
                if (n < 1) throw new UserException("--batch sizes must be positive");
                float[] x = new float[n * 3 * hw[0] * hw[1]];
                Random r = new Random(1);
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                for (int i = 0; i < warmup; i++) run(b, x, n, hw);
                double[] ms = new double[runs];
                startProfile();
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    run(b, x, n, hw);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                stopProfile();
                print(n, ms);
            }
        }
        return 0;
    }

    /** Training steps on random data, timed like the inference runs. */
    private int trainBench(int[] hw) {
        int classes = model.classes != null ? model.classes : 11;
        dev.bisenet.spec.ModelInfo info = dev.bisenet.spec.ModelInfo.generic(classes);
        System.out.printf(Locale.ROOT, "settings: training step (forward with 4 booster heads, OHEM loss on 5 outputs,"
                + " backward, SGD), %d classes, crop %dx%d (HxW), %d threads, %d warm-up + %d timed steps; malloc %s%n",
                classes, hw[0], hw[1], common.threads(), warmup, runs, Allocator.describe());
        for (int n : new TreeSet<>(batches)) {
            dev.bisenet.train.TrainConfig cfg = dev.bisenet.train.TrainConfig.defaults("custom").data("random")
                    .iters(1000).batch(Math.max(2, n)).crop(hw[0], hw[1]).scale(1, 1).lr(0.01).warmup(0)
                    .headWidth(model.headWidth != null ? model.headWidth : 0).evalEvery(0).keepLast(1)
                    .threads(common.threads()).normalisation(info.mean(), info.std()).build();
            Random r = new Random(1);
            float[] x = new float[cfg.batch() * 3 * hw[0] * hw[1]];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            byte[] y = new byte[cfg.batch() * hw[0] * hw[1]];
            for (int i = 0; i < y.length; i++) y[i] = (byte) r.nextInt(classes);
            var batch = new dev.bisenet.train.Batches.Batch(0, cfg.batch(), hw[0], hw[1], x, y);
            java.nio.file.Path tmp;
            try {
                tmp = java.nio.file.Files.createTempDirectory("bisenet-bench");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try (dev.bisenet.train.Trainer t = new dev.bisenet.train.Trainer(cfg, info,
                    new dev.bisenet.train.RunFolder(tmp), null, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))) {
                for (int i = 0; i < warmup; i++) t.step(batch, 0.001);
                double[] ms = new double[runs];
                startProfile();
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    t.step(batch, 0.001);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                stopProfile();
                print(cfg.batch(), ms);
            }
        }
        return 0;
    }

    private void startProfile() {
        if (profile != null) {
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false); // CPU, with input shapes, no memory
        }
    }

    private void stopProfile() {
        if (profile != null) {
            ai.djl.pytorch.jni.JniUtils.stopProfile(profile.toAbsolutePath().toString());
            System.out.println("profile: " + profile + " (the timed runs; times include the profiler's overhead)");
        }
    }

    private static void print(int n, double[] ms) {
        Arrays.sort(ms);
        double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
        double p90 = ms[Math.min(ms.length - 1, (int) Math.ceil(0.9 * ms.length) - 1)];
        System.out.printf(Locale.ROOT, "batch %d: median %.1f ms, min %.1f ms, p90 %.1f ms, %.1f img/s%n",
                n, median, ms[0], p90, 1000.0 * n / median);
    }

    private void run(Backend b, float[] x, int n, int[] hw) {
        if (output.equals("labels")) {
            b.labels(x, n, hw[0], hw[1]);
        } else if (output.equals("none")) {
            b.forwardOnly(x, n, hw[0], hw[1]);
        } else {
            b.logits(x, n, hw[0], hw[1]);
        }
    }

    /** Cores, CPU model and the vector extensions that matter for inference. */
    static String machine() {
        StringBuilder s = new StringBuilder(Runtime.getRuntime().availableProcessors() + " cores");
        try {
            List<String> info = Files.readAllLines(Path.of("/proc/cpuinfo"));
            info.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .ifPresent(l -> s.append(", ").append(l.substring(l.indexOf(':') + 1).trim()));
            info.stream().filter(l -> l.startsWith("flags")).findFirst().ifPresent(l -> {
                List<String> flags = Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"));
                StringBuilder ext = new StringBuilder();
                for (String f : List.of("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8")) {
                    if (flags.contains(f)) ext.append(ext.length() == 0 ? "" : " ").append(f);
                }
                s.append(", ").append(ext.length() == 0 ? "no AVX2" : ext);
            });
        } catch (IOException | RuntimeException e) {
            s.append(", ").append(System.getProperty("os.arch"));
        }
        return s.append(", Java ").append(System.getProperty("java.version")).toString();
    }
}
