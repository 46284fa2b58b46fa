package dev.bisenet.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A single conv + BatchNorm, folded and run by ONNX Runtime, against the two computed one after
 * the other in double precision.
 */
class BatchNormFoldTest {

    private static final Random RNG = new Random(7);

    private static float[] uniform(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * RNG.nextDouble());
        return a;
    }

    /** Plain conv with padding k/2 and groups, double precision. (N=1) */
    private static double[] conv(float[] x, int in, int h, int w, float[] wt, long[] s, double[] bias, int stride) {
        int out = (int) s[0], per = (int) s[1], k = (int) s[2], pad = k / 2, groups = in / per;
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        double[] y = new double[out * oh * ow];
        for (int o = 0; o < out; o++) {
            int g = o / (out / groups);
            for (int yy = 0; yy < oh; yy++) {
                for (int xx = 0; xx < ow; xx++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int c = 0; c < per; c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = yy * stride - pad + ky, ix = xx * stride - pad + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                acc += (double) wt[((o * per + c) * k + ky) * k + kx] * x[((g * per + c) * h + iy) * w + ix];
                            }
                        }
                    }
                    y[(o * oh + yy) * ow + xx] = acc;
                }
            }
        }
        return y;
    }

    private static float[] runOrt(byte[] model, float[] x, long[] shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                OrtSession.Result r = s.run(Map.of("x", t))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    private static byte[] singleConvModel(BatchNormFold c, int in, int h, int w, int stride) {
        OnnxGraph g = new OnnxGraph();
        String x = g.input("x", in);
        String y = g.conv(x, "y", c, stride);
        int k = c.kernel(), oh = (h + 2 * (k / 2) - k) / stride + 1, ow = (w + 2 * (k / 2) - k) / stride + 1;
        byte[] graph = g.encode("t", List.of(OnnxProto.valueInfo(x, OnnxProto.FLOAT, 1L, (long) in, (long) h, (long) w)),
                List.of(OnnxProto.valueInfo(y, OnnxProto.FLOAT, 1L, (long) c.outChannels(), (long) oh, (long) ow)));
        return OnnxProto.model(8, "test", null, 17, graph, Map.of());
    }

    private static void check(long[] wShape, int in, int stride, boolean inputAffine) throws Exception {
        int h = 7, w = 9, out = (int) wShape[0];
        float[] wt = uniform((int) (wShape[0] * wShape[1] * wShape[2] * wShape[3]), -1, 1);
        float[] gamma = uniform(out, 0.5, 2), beta = uniform(out, -1, 1), mean = uniform(out, -1, 1), var = uniform(out, 0.01, 4);
        float[] x = uniform(in * h * w, -2, 2);

        BatchNormFold c = BatchNormFold.of(wShape, wt, null);
        float[] xin = x;
        if (inputAffine) {
            // the CE block: BN on the input of a 1x1 conv
            float[] g0 = uniform(in, 0.5, 2), b0 = uniform(in, -1, 1), m0 = uniform(in, -1, 1), v0 = uniform(in, 0.01, 4);
            double[][] affine = BatchNormFold.batchNormAffine(g0, b0, m0, v0);
            c = c.foldInputAffine(affine[0], affine[1]);
            xin = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                int ch = i / (h * w);
                xin[i] = (float) ((x[i] - m0[ch]) / Math.sqrt(v0[ch] + 1e-5) * g0[ch] + b0[ch]);
            }
        }
        float[] onnx = runOrt(singleConvModel(c.foldBatchNorm(gamma, beta, mean, var), in, h, w, stride), x,
                new long[] {1, in, h, w});

        double[] ref = conv(xin, in, h, w, wt, wShape, null, stride);
        int per = ref.length / out;
        double maxDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            int o = i / per;
            double bn = (ref[i] - mean[o]) / Math.sqrt(var[o] + 1e-5) * gamma[o] + beta[o];
            maxDiff = Math.max(maxDiff, Math.abs(bn - onnx[i]));
        }
        assertEquals(ref.length, onnx.length);
        assertTrue(maxDiff <= 1e-4, "folded conv differs by " + maxDiff);
    }

    @Test
    void foldedConvEqualsConvThenBatchNorm() throws Exception {
        check(new long[] {5, 3, 3, 3}, 3, 1, false);
    }

    @Test
    void foldedDepthwiseConvWithChannelMultiplierAndStride() throws Exception {
        check(new long[] {12, 1, 3, 3}, 4, 2, false); // groups 4, 3 outputs per group: GE's dwconv1
    }

    @Test
    void batchNormBeforeA1x1ConvFoldsIntoItsInput() throws Exception {
        check(new long[] {6, 4, 1, 1}, 4, 1, true);
    }
}
