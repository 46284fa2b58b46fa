package dev.bisenet.export;

import java.util.Arrays;

/**
 * A convolution's weight and bias in double precision, with inference BatchNorm folded in
 * exactly: an exported graph then has no BatchNormalization nodes and rounds to float32 once.
 *
 * <p>Folding a BN that follows the conv, with {@code k = gamma / sqrt(var + eps)} per output
 * channel: {@code w' = w k}, {@code b' = (b - mean) k + beta}. Folding a per-input-channel affine
 * map {@code x -> s x + t} that precedes a conv ({@link #foldInputAffine}) is exact only for a
 * 1x1 conv without padding, where every output reads every input at the same position.
 *
 * @param shape (out, in / groups, kh, kw)
 * @param weight row-major, length out * in/groups * kh * kw
 * @param bias length out
 */
public record BatchNormFold(long[] shape, double[] weight, double[] bias) {

    /** PyTorch's BatchNorm2d default, used by every BN of the reference model. */
    public static final double EPS = 1e-5;

    public BatchNormFold {
        if (shape.length != 4 || weight.length != shape[0] * shape[1] * shape[2] * shape[3] || bias.length != shape[0]) {
            throw new IllegalArgumentException("inconsistent conv: shape " + Arrays.toString(shape) + ", "
                    + weight.length + " weights, " + bias.length + " biases");
        }
    }

    /** A conv as stored in a checkpoint; {@code bias} may be null (no bias). */
    public static BatchNormFold of(long[] shape, float[] weight, float[] bias) {
        double[] w = new double[weight.length];
        for (int i = 0; i < w.length; i++) w[i] = weight[i];
        double[] b = new double[Math.toIntExact(shape[0])];
        if (bias != null) {
            for (int i = 0; i < b.length; i++) b[i] = bias[i];
        }
        return new BatchNormFold(shape.clone(), w, b);
    }

    public int outChannels() {
        return (int) shape[0];
    }

    public int kernel() {
        return (int) shape[2];
    }

    /** This conv followed by inference BatchNorm with the given parameters, as one conv. */
    public BatchNormFold foldBatchNorm(float[] gamma, float[] beta, float[] mean, float[] var) {
        int out = outChannels();
        requireLength(out, gamma, beta, mean, var);
        int per = weight.length / out;
        double[] w = new double[weight.length];
        double[] b = new double[out];
        for (int o = 0; o < out; o++) {
            double k = gamma[o] / Math.sqrt((double) var[o] + EPS);
            for (int j = 0; j < per; j++) {
                w[o * per + j] = weight[o * per + j] * k;
            }
            b[o] = (bias[o] - mean[o]) * k + beta[o];
        }
        return new BatchNormFold(shape, w, b);
    }

    /**
     * This 1x1 conv applied to {@code scale * x + shift} (per input channel), as one conv:
     * {@code W' = W diag(scale)}, {@code b' = b + W shift}.
     */
    public BatchNormFold foldInputAffine(double[] scale, double[] shift) {
        if (shape[2] != 1 || shape[3] != 1) {
            throw new IllegalArgumentException("an input affine map folds exactly into a 1x1 conv only, not "
                    + Arrays.toString(shape));
        }
        int out = outChannels();
        int in = (int) shape[1];
        if (scale.length != in || shift.length != in) {
            throw new IllegalArgumentException("affine map of " + scale.length + " channels before a conv of " + in);
        }
        double[] w = new double[weight.length];
        double[] b = bias.clone();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                w[o * in + i] = weight[o * in + i] * scale[i];
                b[o] += weight[o * in + i] * shift[i];
            }
        }
        return new BatchNormFold(shape, w, b);
    }

    /** Inference BatchNorm as the affine map {@code x -> scale x + shift}: {@code {scale, shift}}. */
    public static double[][] batchNormAffine(float[] gamma, float[] beta, float[] mean, float[] var) {
        requireLength(gamma.length, beta, mean, var);
        double[] scale = new double[gamma.length];
        double[] shift = new double[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            scale[c] = gamma[c] / Math.sqrt((double) var[c] + EPS);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new double[][] {scale, shift};
    }

    public float[] weightFloats() {
        return toFloats(weight);
    }

    public float[] biasFloats() {
        return toFloats(bias);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static void requireLength(int n, float[]... arrays) {
        for (float[] a : arrays) {
            if (a.length != n) {
                throw new IllegalArgumentException("BatchNorm parameter of length " + a.length + ", expected " + n);
            }
        }
    }
}
