package dev.bisenet.export;

/**
 * The arithmetic of ONNX linear quantization, {@code real = (q - zeroPoint) * scale}, with
 * rounding half to even as QuantizeLinear does: activation parameters from a range, symmetric
 * int8 weights (per output channel or per tensor) and int32 biases.
 */
final class QuantMath {

    /** Symmetric int8 weights use -127..127, so that negating a weight is exact. */
    static final int WEIGHT_MAX = 127;

    private QuantMath() {}

    /** Scale and zero point of one activation tensor. */
    record Params(float scale, int zeroPoint) {}

    /** Weights of one conv in int8 with their scale per output channel (one entry when per tensor). */
    record Weights(byte[] values, float[] scales) {}

    /**
     * Asymmetric parameters covering {@code range} (which contains 0) with 256 levels of
     * {@code unsigned} (0..255) or signed (-128..127) integers; 0 maps to an integer exactly.
     */
    static Params activation(Calibration.Range range, boolean unsigned) {
        double lo = Math.min(range.min(), 0), hi = Math.max(range.max(), 0);
        double scale = (hi - lo) / 255;
        if (!(scale > 1e-12)) scale = 1e-12; // an all-zero tensor: any scale represents it
        int qmin = unsigned ? 0 : -128;
        int zp = (int) Math.rint(qmin - lo / scale);
        return new Params((float) scale, Math.max(qmin, Math.min(qmin + 255, zp)));
    }

    /**
     * The weight scales of a conv with {@code out} output channels, max|w| / 127 per channel (or
     * over the whole tensor), raised where needed so that {@code bias / (inputScale * scale)}
     * fits an int32 (null bias: no bias).
     */
    static float[] weightScales(float[] w, int out, boolean perChannel, float[] bias, float inputScale) {
        int per = w.length / out;
        float[] s = new float[perChannel ? out : 1];
        for (int o = 0; o < out; o++) {
            float m = 0;
            for (int j = 0; j < per; j++) m = Math.max(m, Math.abs(w[o * per + j]));
            int k = perChannel ? o : 0;
            s[k] = Math.max(s[k], m / WEIGHT_MAX);
        }
        for (int k = 0; k < s.length; k++) {
            if (s[k] == 0) s[k] = 1; // an all-zero channel: any scale represents it
        }
        if (bias != null) {
            // Keep |bias| / (inputScale * scale) below 2^30, well inside int32: a channel with tiny
            // weights but a large bias gets coarser weights rather than an overflowing bias.
            for (int o = 0; o < out; o++) {
                int k = perChannel ? o : 0;
                double need = Math.abs(bias[o]) / (inputScale * (double) (1 << 30));
                if (s[k] < need) s[k] = (float) need;
            }
        }
        return s;
    }

    /** {@code w} (out, ...) in int8 with the given scales (length out, or 1 for per tensor). */
    static Weights quantizeWeights(float[] w, int out, float[] scales) {
        int per = w.length / out;
        byte[] q = new byte[w.length];
        for (int o = 0; o < out; o++) {
            float s = scales[scales.length == 1 ? 0 : o];
            for (int j = 0; j < per; j++) {
                q[o * per + j] = (byte) clamp(Math.rint(w[o * per + j] / s), -WEIGHT_MAX, WEIGHT_MAX);
            }
        }
        return new Weights(q, scales);
    }

    /** The bias in int32 with scale {@code inputScale * weightScale} per channel, zero point 0. */
    static int[] quantizeBias(float[] bias, float inputScale, float[] weightScales) {
        int[] q = new int[bias.length];
        for (int o = 0; o < bias.length; o++) {
            double s = (double) inputScale * weightScales[weightScales.length == 1 ? 0 : o];
            q[o] = (int) clamp(Math.rint(bias[o] / s), Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return q;
    }

    /** The bias scales (float32, as the DequantizeLinear node stores them). */
    static float[] biasScales(float inputScale, float[] weightScales) {
        float[] s = new float[weightScales.length];
        for (int k = 0; k < s.length; k++) s[k] = inputScale * weightScales[k];
        return s;
    }

    /** The real value of int8 weight {@code i} (as DequantizeLinear computes it). */
    static float dequantizeWeight(Weights w, int out, int i) {
        int per = w.values().length / out;
        return w.values()[i] * w.scales()[w.scales().length == 1 ? 0 : i / per];
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
