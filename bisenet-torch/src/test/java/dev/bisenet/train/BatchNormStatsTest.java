package dev.bisenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.nn.Parameter;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.Init;
import dev.bisenet.model.OutputMode;
import dev.bisenet.model.WeightNames;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Variant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Recomputed BatchNorm statistics: against statistics computed by hand, and as a mean over batches. */
class BatchNormStatsTest {

    private static final int N = 2;
    private static final int H = 64;
    private static final int W = 64;

    private static float[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N * 3 * H * W];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 0.8 + 0.2);
        return x;
    }

    /** The given images, one batch each, numbered from {@code first}. */
    private static Batches batches(int first, float[]... images) {
        Deque<float[]> left = new ArrayDeque<>(List.of(images));
        return new Batches() {
            int it = first;

            @Override
            public Batch next() {
                return new Batch(it++, N, H, W, left.pop(), new byte[N * H * W]);
            }

            @Override
            public long waitNanos() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }

    private static Model model() {
        Model m = BiSeNetV2.newModel(new ModelSpec(3, Variant.BASE, 32, true), OutputMode.TRAIN);
        Init.fromScratch((BiSeNetV2) m.getBlock(), 11);
        return m;
    }

    /** Every BatchNorm's running statistics, keyed by name. */
    private static Map<String, float[]> stats(BiSeNetV2 net) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : WeightNames.of(net).entrySet()) {
            if (e.getKey().endsWith(".running_mean") || e.getKey().endsWith(".running_var")) {
                out.put(e.getKey(), e.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void theStemsStatisticsAreThoseOfItsConvolutionsOutput() throws Exception {
        float[] x = image(1);
        try (Model m = model()) {
            BiSeNetV2 net = (BiSeNetV2) m.getBlock();
            int layers = BatchNormStats.recompute(net, m.getNDManager(), batches(0, x), 1, i -> {});
            assertTrue(layers > 40, "BatchNorm layers found: " + layers);

            // detail.S1.0: 3x3 convolution, stride 2, padding 1, no bias, on the image itself
            float[] w = WeightNames.of(net).get("detail.S1.0.conv.weight").getArray().toFloatArray();
            int co = w.length / 27;
            int oh = H / 2;
            int ow = W / 2;
            float[] mean = WeightNames.of(net).get("detail.S1.0.bn.running_mean").getArray().toFloatArray();
            float[] var = WeightNames.of(net).get("detail.S1.0.bn.running_var").getArray().toFloatArray();
            for (int o = 0; o < co; o++) {
                double s = 0;
                double ss = 0;
                for (int b = 0; b < N; b++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            double v = 0;
                            for (int c = 0; c < 3; c++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = 2 * y - 1 + ky;
                                        int ix = 2 * xx - 1 + kx;
                                        if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
                                        v += w[((o * 3 + c) * 3 + ky) * 3 + kx] * x[((b * 3 + c) * H + iy) * W + ix];
                                    }
                                }
                            }
                            s += v;
                            ss += v * v;
                        }
                    }
                }
                int n = N * oh * ow;
                double mu = s / n;
                double unbiased = (ss - n * mu * mu) / (n - 1);
                assertEquals(mu, mean[o], 1e-4 + 1e-4 * Math.abs(mu), "channel " + o + " mean");
                assertEquals(unbiased, var[o], 1e-3 * unbiased, "channel " + o + " variance");
            }
        }
    }

    @Test
    void severalBatchesGiveTheMeanOfEachBatchsStatisticsWhateverWasThereBefore() throws Exception {
        float[] a = image(2);
        float[] b = image(3);
        for (int i = 0; i < b.length; i++) b[i] = 1.5f * b[i] + 0.3f; // another distribution
        try (Model m = model()) {
            BiSeNetV2 net = (BiSeNetV2) m.getBlock();
            BatchNormStats.recompute(net, m.getNDManager(), batches(0, a), 1, i -> {});
            Map<String, float[]> sa = stats(net);
            BatchNormStats.recompute(net, m.getNDManager(), batches(1, b), 1, i -> {});
            Map<String, float[]> sb = stats(net);

            WeightNames.of(net).get("segment.S5_5.bn.running_var").getArray().muli(0f).addi(1e6f); // stale statistics
            int[] seen = {0};
            BatchNormStats.recompute(net, m.getNDManager(), batches(0, a, b), 2, i -> seen[0] = i);
            assertEquals(2, seen[0]);
            Map<String, float[]> both = stats(net);

            // (the booster heads' dropout comes before a BatchNorm: the same batch number draws the same mask)
            double worst = 0;
            String where = "";
            for (String k : both.keySet()) {
                float[] v = both.get(k);
                for (int c = 0; c < v.length; c++) {
                    double want = (sa.get(k)[c] + sb.get(k)[c]) / 2.0;
                    double d = Math.abs(v[c] - want) / (1e-3 + Math.abs(want));
                    if (d > worst) {
                        worst = d;
                        where = k + "[" + c + "]: " + v[c] + " against " + want;
                    }
                }
            }
            assertTrue(worst < 1e-3, "largest relative difference from the mean of the two batches: " + worst + " at " + where);
            // and the two batches did differ, so the mean is not one of them
            float[] ma = sa.get("detail.S1.0.bn.running_var");
            float[] mb = sb.get("detail.S1.0.bn.running_var");
            assertTrue(Math.abs(ma[0] - mb[0]) > 0.1 * Math.abs(ma[0]), "stem variance " + ma[0] + " and " + mb[0]);
        }
    }
}
