package dev.bisenet.eval;

import dev.bisenet.infer.Backend;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures the Java-side cost of each protocol per image (resampling, padding, softmax, argmax:
 * everything but the network), with a backend that hands out prepared random logits and whose
 * own time is subtracted. Not a test: run
 * {@code java -cp target/test-classes:target/classes dev.bisenet.eval.ProtocolTiming [h w classes cropH cropW]}.
 */
public final class ProtocolTiming {

    /**
     * Returns copies of prepared logits, spatially smooth like a network's (argmax branches are
     * then as predictable as on real data) with some noise; counts the time spent in itself.
     */
    static final class RandomLogits implements Backend {
        final int classes;
        final Random random = new Random(1);
        final java.util.Map<Long, float[]> prepared = new java.util.HashMap<>();
        long nanos;

        RandomLogits(int classes) {
            this.classes = classes;
        }

        @Override
        public int numClasses() {
            return classes;
        }

        @Override
        public int[] labels(float[] nchw, int n, int h, int w) {
            return FakeBackends.argmax(logits(nchw, n, h, w), n, classes, h * w);
        }

        @Override
        public float[] logits(float[] nchw, int n, int h, int w) {
            long t = System.nanoTime();
            float[] p = prepared.computeIfAbsent((long) h << 32 | w, size -> {
                float[] a = new float[n * classes * h * w];
                for (int i = 0; i < a.length; i++) {
                    int k = i / (h * w) % classes;
                    int y = i / w % h;
                    int x = i % w;
                    a[i] = (float) (3 * Math.sin(0.02 * (x + 2 * y) * (k + 1) / classes + k)
                            + 0.3 * random.nextGaussian());
                }
                return a;
            });
            float[] out = p.clone(); // a real backend hands out a fresh array too
            nanos += System.nanoTime() - t;
            return out;
        }

        @Override
        public String name() {
            return "random";
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) {
        int h = args.length > 0 ? Integer.parseInt(args[0]) : 360;
        int w = args.length > 1 ? Integer.parseInt(args[1]) : 480;
        int classes = args.length > 2 ? Integer.parseInt(args[2]) : 11;
        int cropH = args.length > 3 ? Integer.parseInt(args[3]) : 288;
        int cropW = args.length > 4 ? Integer.parseInt(args[4]) : 384;
        float[] image = new float[3 * h * w];
        Random r = new Random(2);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextGaussian();
        }
        System.out.printf("Java-side time per image, %dx%d, %d classes (ms; backend time "
                + "subtracted)%n", h, w, classes);
        EvalOptions[] configs = {
            EvalOptions.of(Mode.SS, 255),
            EvalOptions.of(Mode.SS, 255).withScale(0.75),
            EvalOptions.of(Mode.SSC, 255).withCrop(cropH, cropW),
            EvalOptions.of(Mode.MSF, 255),
        };
        for (EvalOptions o : configs) {
            RandomLogits backend = new RandomLogits(classes);
            Protocols protocols = new Protocols(backend, o);
            int warmup = 10;
            int runs = 30;
            double[] ms = new double[runs];
            for (int i = 0; i < warmup + runs; i++) {
                backend.nanos = 0;
                long t = System.nanoTime();
                Prediction p = protocols.predict(image, h, w);
                long java = System.nanoTime() - t - backend.nanos;
                if (p.labels().length != h * w) {
                    throw new AssertionError();
                }
                if (i >= warmup) {
                    ms[i - warmup] = java / 1e6;
                }
            }
            Arrays.sort(ms);
            System.out.printf("%-4s scale %-4s %s: min %7.1f  median %7.1f  (%d network calls)%n",
                    o.mode().cliName(), o.scale(),
                    o.mode() == Mode.SSC ? "crop " + cropH + "x" + cropW : "            ",
                    ms[0], ms[runs / 2], backend.prepared.isEmpty() ? 0
                            : callsPerImage(o, h, w, cropH, cropW));
        }
    }

    private static int callsPerImage(EvalOptions o, int h, int w, int cropH, int cropW) {
        return switch (o.mode()) {
            case SS -> 1;
            case MSF -> 2 * Protocols.MSF_SCALES.size();
            case SSC -> Protocols.windowStarts(Math.max(h, cropH), cropH).length
                    * Protocols.windowStarts(Math.max(w, cropW), cropW).length;
        };
    }
}
