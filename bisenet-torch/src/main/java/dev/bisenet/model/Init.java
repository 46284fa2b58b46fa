package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The paper's initialisation for training from scratch: Kaiming normal (fan_out, ReLU gain) for
 * conv weights, zero biases, BatchNorm weight 1 and bias 0, except the last BN of each GE layer
 * (after {@code conv2}), whose weight starts at 0 so that each GE layer starts as its shortcut.
 */
public final class Init {

    /** The BN after a GE layer's 1x1 projection: {@code segment.S4.1.conv2.1.weight}. */
    private static final Pattern LAST_BN = Pattern.compile("segment\\.S[0-9_]+\\.[0-9]+\\.conv2\\.1\\.weight");

    private Init() {}

    /** Initialises every parameter of {@code model}; the same seed gives the same weights. */
    public static void fromScratch(BiSeNetV2 model, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Map.Entry<String, Parameter> e : WeightNames.of(model).entrySet()) {
            SplittableRandom rng = root.split();
            NDArray a = e.getValue().getArray();
            long[] shape = a.getShape().getShape();
            String key = e.getKey();
            float[] v = new float[Math.toIntExact(a.size())];
            if (shape.length == 4) {
                // fan_out = out_channels * kh * kw; std = gain / sqrt(fan_out), gain = sqrt(2)
                double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextGaussian() * std);
                }
            } else if (key.endsWith("running_var") || (key.endsWith(".weight") && !LAST_BN.matcher(key).matches())) {
                Arrays.fill(v, 1f); // BN weight and running variance
            } // biases, running means and the last-BN weights stay 0
            Weights.assign(a, v);
        }
        model.parametersChanged();
    }
}
