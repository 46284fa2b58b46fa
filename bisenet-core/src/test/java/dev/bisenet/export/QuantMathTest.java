package dev.bisenet.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quantization arithmetic and calibration histograms, with values worked out by hand. */
class QuantMathTest {

    /** Four output channels whose magnitudes differ by 10^4: per-channel scales keep each exact to scale/2. */
    @Test
    void perChannelWeightsRoundTripWithinHalfAStep() {
        int out = 4, per = 3 * 3 * 8;
        float[] w = new float[out * per];
        Random r = new Random(3);
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < per; j++) w[o * per + j] = (float) (r.nextGaussian() * Math.pow(10, o - 2));
        }
        float[] scales = QuantMath.weightScales(w, out, true, null, 1f);
        QuantMath.Weights q = QuantMath.quantizeWeights(w, out, scales);
        for (int o = 0; o < out; o++) {
            float max = 0;
            for (int j = 0; j < per; j++) max = Math.max(max, Math.abs(w[o * per + j]));
            assertEquals(max / 127, scales[o], 1e-6 * max, "channel " + o);
            for (int j = 0; j < per; j++) {
                int i = o * per + j;
                float err = Math.abs(QuantMath.dequantizeWeight(q, out, i) - w[i]);
                assertTrue(err <= scales[o] / 2 * (1 + 1e-5), "weight " + i + " off by " + err + ", scale " + scales[o]);
            }
        }
        // the largest magnitude of each channel maps to +-127 exactly
        int extremes = 0;
        for (byte b : q.values()) if (b == 127 || b == -127) extremes++;
        assertTrue(extremes >= out);

        // per tensor, the small channels lose almost everything: that is what per-channel avoids
        float[] one = QuantMath.weightScales(w, out, false, null, 1f);
        assertEquals(1, one.length);
        assertEquals(scales[3], one[0]);
        QuantMath.Weights t = QuantMath.quantizeWeights(w, out, one);
        for (int j = 0; j < per; j++) assertEquals(0, t.values()[j], "channel 0 rounds to zero per tensor");
    }

    @Test
    void biasIsInt32AtInputTimesWeightScale() {
        float[] w = {0.5f, -0.25f, 0.127f, 0f}; // two channels of two weights
        float[] b = {1.0f, -0.3f};
        float[] s = QuantMath.weightScales(w, 2, true, b, 0.02f);
        assertEquals(0.5f / 127, s[0], 1e-9);
        assertEquals(0.001f, s[1], 1e-9);
        int[] qb = QuantMath.quantizeBias(b, 0.02f, s);
        assertEquals(Math.rint(1.0 / (0.02 * s[0])), qb[0]);
        assertEquals(-15000, qb[1]); // -0.3 / (0.02 * 0.001)
        assertEquals(0.02f * s[1], QuantMath.biasScales(0.02f, s)[1]);
    }

    /** A channel with tiny weights and a large bias gets a coarser weight scale, not an overflowing bias. */
    @Test
    void biasNeverOverflowsInt32() {
        float[] w = {1e-9f, -1e-9f};
        float[] b = {1000f};
        float[] s = QuantMath.weightScales(w, 1, true, b, 1e-4f);
        int[] qb = QuantMath.quantizeBias(b, 1e-4f, s);
        assertTrue(qb[0] > 1 << 29 && qb[0] < Integer.MAX_VALUE / 2 + 1000, "bias " + qb[0]);
        assertEquals(1000, qb[0] * 1e-4 * s[0], 1e-3);
    }

    @Test
    void allZeroChannelsGetAUsableScale() {
        float[] s = QuantMath.weightScales(new float[9], 1, true, null, 1f);
        assertEquals(1f, s[0]);
        QuantMath.Params p = QuantMath.activation(new Calibration.Range(0, 0), true);
        assertTrue(p.scale() > 0);
        assertEquals(0, p.zeroPoint());
    }

    @Test
    void activationParametersKeepZeroExact() {
        QuantMath.Params relu = QuantMath.activation(new Calibration.Range(0, 2.55f), true);
        assertEquals(0.01f, relu.scale(), 1e-7);
        assertEquals(0, relu.zeroPoint()); // what lets ONNX Runtime drop the ReLU before it
        QuantMath.Params signed = QuantMath.activation(new Calibration.Range(0, 2.55f), false);
        assertEquals(-128, signed.zeroPoint());

        QuantMath.Params both = QuantMath.activation(new Calibration.Range(-1, 3), true);
        assertEquals(4 / 255f, both.scale(), 1e-7);
        assertEquals(64, both.zeroPoint()); // rint(255 / 4 = 63.75)
        assertEquals(-64, QuantMath.activation(new Calibration.Range(-1, 3), false).zeroPoint());
        // a range that misses 0 is widened to reach it
        assertEquals(0, QuantMath.activation(new Calibration.Range(1, 2.55f), true).zeroPoint());
        assertEquals(0.01f, QuantMath.activation(new Calibration.Range(1, 2.55f), true).scale(), 1e-7);
    }

    @Test
    void histogramRangesByMethod() {
        ActivationHistogram h = new ActivationHistogram();
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) v[i] = (i % 1000) / 1000f; // uniform on [0, 1)
        v[7] = 50f; // one outlier
        h.add(v);
        assertEquals(new Calibration.Range(0, 50f), h.range(RangeMethod.minMax()));
        // 99.99% keeps all but 5 values per tail: the outlier goes, the bulk stays (bins of 64/2048)
        Calibration.Range p = h.range(RangeMethod.percentile(99.99));
        assertEquals(0, p.min());
        assertTrue(p.max() >= 0.999f && p.max() <= 1.04f, p.toString());
        // MSE weighs the outlier's squared clipping error (47^2) against 100k small rounding
        // errors: it keeps most of the range, and does better than min/max by its own measure
        Calibration.Range m = h.range(RangeMethod.mse());
        assertTrue(m.max() > 20 && m.max() < 50, m.toString());
        assertTrue(h.expectedSquaredError(0, m.max()) < h.expectedSquaredError(0, 50));

        // on a long thin tail (Laplace) it clips the most extreme values
        ActivationHistogram laplace = new ActivationHistogram();
        Random r = new Random(11);
        float[] l = new float[100_000];
        for (int i = 0; i < l.length; i++) l[i] = (float) (-Math.log(1 - r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
        laplace.add(l);
        Calibration.Range lm = laplace.range(RangeMethod.mse());
        assertTrue(lm.max() < 0.95 * laplace.max() && lm.min() > 0.95 * laplace.min(), lm + " of " + laplace.min() + ".." + laplace.max());
    }

    /** Merging bins when the range grows is exact: the order of the images does not matter. */
    @Test
    void histogramIsOrderIndependent() {
        Random r = new Random(5);
        float[][] batches = new float[4][];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = new float[5000];
            for (int i = 0; i < 5000; i++) batches[b][i] = (float) (r.nextGaussian() * Math.pow(4, b));
        }
        ActivationHistogram up = new ActivationHistogram();
        ActivationHistogram down = new ActivationHistogram();
        for (int b = 0; b < 4; b++) {
            up.add(batches[b]);
            down.add(batches[3 - b]);
        }
        for (RangeMethod m : new RangeMethod[] {RangeMethod.minMax(), RangeMethod.percentile(99.9), RangeMethod.mse()}) {
            assertEquals(down.range(m), up.range(m), m.toString());
        }
        assertEquals(20_000, up.count());
    }

    @Test
    void histogramCountsNonFiniteValues() {
        ActivationHistogram h = new ActivationHistogram();
        h.add(new float[] {1, Float.NaN, -2, Float.POSITIVE_INFINITY});
        assertEquals(2, h.nonFinite());
    }

    @Test
    void rangeMethodsParse() {
        for (RangeMethod m : new RangeMethod[] {RangeMethod.minMax(), RangeMethod.mse(), RangeMethod.percentile(99.99)}) {
            assertEquals(m, RangeMethod.parse(m.toString()));
        }
        assertThrows(UserException.class, () -> RangeMethod.parse("entropy"));
        assertThrows(UserException.class, () -> RangeMethod.parse("percentile:40"));
    }
}
