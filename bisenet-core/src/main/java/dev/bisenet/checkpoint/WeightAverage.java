package dev.bisenet.checkpoint;

import dev.bisenet.util.UserException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The element-wise mean of several checkpoints of one network, added one at a time: stochastic
 * weight averaging (Izmailov et al., "Averaging Weights Leads to Wider Optima and Better
 * Generalization", 2018) over the checkpoints of one run.
 *
 * <p>Floating tensors are summed in double and rounded to float32 once, at the end; integer
 * tensors (BatchNorm's {@code num_batches_tracked}) are taken from the last checkpoint added.
 * BatchNorm's running statistics are averaged like the weights, which only approximates the
 * statistics of the averaged weights: recompute them on training data afterwards
 * ({@code BatchNormStats} in bisenet-torch, {@code bisenet average --data}).
 *
 * <p>Every checkpoint must have the first one's keys, shapes and element types; a difference is
 * an error naming both files and the key. Memory: one double per parameter (about 34 MB for
 * BiSeNetV2 with the reference head), whatever the number of checkpoints.
 */
public final class WeightAverage {

    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private final Map<String, Tensor> first = new LinkedHashMap<>();
    private final Map<String, Tensor> integers = new LinkedHashMap<>();
    private final List<String> sources = new ArrayList<>();

    /** Adds one checkpoint; {@code source} names it in errors (usually its file). */
    public void add(StateDict sd, String source) {
        if (sources.isEmpty()) {
            for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
                first.put(e.getKey(), e.getValue());
                if (e.getValue().dtype().isFloating()) {
                    sums.put(e.getKey(), new double[Math.toIntExact(e.getValue().numel())]);
                }
            }
        } else {
            checkSameLayout(sd, source);
        }
        for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
            double[] sum = sums.get(e.getKey());
            if (sum == null) {
                integers.put(e.getKey(), e.getValue());
                continue;
            }
            float[] v = e.getValue().toFloats();
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
        }
        sources.add(source);
    }

    /** How many checkpoints were added. */
    public int count() {
        return sources.size();
    }

    /** The mean, in the first checkpoint's key order; floating tensors as float32. */
    public StateDict mean() {
        if (sources.isEmpty()) {
            throw new IllegalStateException("no checkpoint was added");
        }
        StateDict out = new StateDict();
        int n = sources.size();
        for (Map.Entry<String, Tensor> e : first.entrySet()) {
            double[] sum = sums.get(e.getKey());
            if (sum == null) {
                out.put(e.getKey(), integers.get(e.getKey()));
                continue;
            }
            float[] m = new float[sum.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) (sum[i] / n);
            }
            out.put(e.getKey(), Tensor.ofFloats(e.getValue().shape(), m));
        }
        return out;
    }

    private void checkSameLayout(StateDict sd, String source) {
        String ref = sources.get(0);
        for (String k : first.keySet()) {
            if (!sd.contains(k)) {
                throw new UserException(source + " has no tensor " + k + ", which " + ref
                        + " has: only checkpoints of the same network can be averaged");
            }
        }
        for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
            Tensor a = first.get(e.getKey());
            Tensor b = e.getValue();
            if (a == null) {
                throw new UserException(source + " has a tensor " + e.getKey() + " that " + ref
                        + " lacks: only checkpoints of the same network can be averaged");
            }
            if (a.dtype() != b.dtype() || !java.util.Arrays.equals(a.shape(), b.shape())) {
                throw new UserException(e.getKey() + " is " + b.dtype() + " " + Tensor.shapeString(b.shape()) + " in "
                        + source + " but " + a.dtype() + " " + Tensor.shapeString(a.shape()) + " in " + ref
                        + ": only checkpoints of the same network can be averaged");
            }
        }
    }
}
