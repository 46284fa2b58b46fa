package dev.bisenet.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.WeightNames;
import dev.bisenet.model.Weights;
import dev.bisenet.torch.Staging;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Recomputes every BatchNorm's running mean and variance for the network's current weights: the
 * plain mean, over a number of training batches, of each batch's statistics (the variance
 * unbiased, as BatchNorm's running variance is). Averaged weights need it: the running statistics
 * of the checkpoints they were averaged from belong to other weights (Izmailov et al. 2018 do the
 * same after stochastic weight averaging, with one pass over the training data).
 *
 * <p>How: before each batch every running statistic is set to zero, the network runs in training
 * mode (no gradients), and each BatchNorm leaves {@link #UPDATE} x its batch statistic behind;
 * those are summed here and divided at the end. The batches' own statistics are what
 * normalised the activations, so every layer sees exactly what training mode shows it.
 */
public final class BatchNormStats {

    /**
     * The weight of a batch in BatchNorm's running-statistic update: PyTorch's momentum 0.1,
     * which DJL's builder takes as 0.9 counted the other way (the network's {@code Layers.bn()}).
     * {@code BatchNormStatsTest} checks it against statistics computed by hand.
     */
    static final double UPDATE = 0.1;

    /** Seeds the dropout masks, with the batch's number (training seeds them the same way). */
    private static final long SEED = 0x5EEDL;

    private BatchNormStats() {}

    /**
     * Runs {@code count} batches through {@code net} in training mode and sets each BatchNorm's
     * running statistics to their mean over those batches; returns the number of layers updated.
     *
     * @param progress called with the number of batches done after each one
     */
    public static int recompute(BiSeNetV2 net, NDManager manager, Batches batches, int count, IntConsumer progress)
            throws InterruptedException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        Map<String, Parameter> params = WeightNames.of(net);
        List<Parameter> means = new ArrayList<>();
        List<Parameter> vars = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String key = e.getKey();
            if (key.endsWith(".running_mean")) {
                means.add(e.getValue());
                vars.add(params.get(key.substring(0, key.length() - "running_mean".length()) + "running_var"));
            }
        }
        double[][] sumMean = new double[means.size()][];
        double[][] sumVar = new double[means.size()][];
        Staging images = new Staging();
        for (int i = 0; i < count; i++) {
            Batches.Batch b = batches.next();
            for (int j = 0; j < means.size(); j++) {
                zero(means.get(j));
                zero(vars.get(j));
            }
            // the booster heads' dropout sits before a BatchNorm: the batch's number seeds its mask
            Engine.getInstance().setRandomSeed((int) (SEED * 1_000_003L + b.iteration()));
            try (NDManager s = manager.newSubManager()) {
                NDArray x = images.images(s, b.images(), b.n(), 3, b.height(), b.width());
                net.forward(new ParameterStore(s, false), new NDList(x), true, Trainer.PHASE_LAYOUT);
            }
            for (int j = 0; j < means.size(); j++) {
                sumMean[j] = accumulate(sumMean[j], means.get(j));
                sumVar[j] = accumulate(sumVar[j], vars.get(j));
            }
            progress.accept(i + 1);
        }
        for (int j = 0; j < means.size(); j++) {
            Weights.assign(means.get(j).getArray(), mean(sumMean[j], count));
            Weights.assign(vars.get(j).getArray(), mean(sumVar[j], count));
        }
        return means.size();
    }

    private static void zero(Parameter p) {
        p.getArray().muli(0f);
    }

    /** Adds the batch statistic that {@code running} holds after one update from zero. */
    private static double[] accumulate(double[] sum, Parameter running) {
        float[] v = running.getArray().toFloatArray();
        if (sum == null) sum = new double[v.length];
        for (int c = 0; c < v.length; c++) {
            sum[c] += v[c] / UPDATE;
        }
        return sum;
    }

    private static float[] mean(double[] sum, int count) {
        float[] m = new float[sum.length];
        for (int c = 0; c < m.length; c++) {
            m[c] = (float) (sum[c] / count);
        }
        return m;
    }
}
