package dev.bisenet.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic, non-trivial BiSeNetV2 weights from a closed formula, in the reference checkpoint
 * layout: golden tests compare this project's engines with numbers PyTorch produced from the very
 * same formula, without shipping a 13 MB checkpoint.
 *
 * <p>The formula, which the fixture generator ({@code src/test/python/make_parity_fixture.py})
 * computes the same way: for a key {@code k} and flat row-major index {@code i}, in double,
 * {@code t = 43758.5453 sin(1.7 i + 0.3 h(k))}, {@code s = 2 (t - floor(t)) - 1} (a
 * pseudo-random number in [-1, 1): a plain sinusoid makes every filter sum to about zero and the
 * features fade away), {@code h(k) = sum_j (j+1) * k[j] mod 10007} over the key's characters, and
 * the value, rounded to float32, is
 * <ul>
 *   <li>conv weight (rank 4): {@code sqrt(5 / fan_in) * s}, fan_in = dims 1 * 2 * 3 (close to He
 *       initialisation, so that features keep a useful range through the whole network);
 *   <li>BN {@code weight}: {@code 1 + 0.25 s}, except the last BN of each GE layer
 *       ({@code conv2.1.weight}): {@code 0.2 + 0.05 s}, small as in the reference's zero
 *       initialisation, else the residual sums grow a hundredfold and the BGA's sigmoids saturate;
 *   <li>{@code running_var}: {@code 0.75 + 0.25 s} (always positive); {@code running_mean}: {@code 0.1 s};
 *   <li>any rank-1 {@code bias} (BN and the classifier): {@code 0.1 s};
 *   <li>{@code num_batches_tracked}: 0.
 * </ul>
 * The network input is {@link #input}.
 */
public final class FormulaWeights {

    /** One key of the layout with its shape. */
    public record Entry(String key, long[] shape) {}

    private FormulaWeights() {}

    /**
     * The 383 (with booster heads) or 327 (without) keys of a release BiSeNetV2 checkpoint for
     * {@code classes} classes, in {@code state_dict()} order, filled by the formula.
     */
    public static StateDict stateDict(int classes, boolean withAux) {
        return stateDict(classes, withAux, 1, 1, 1024);
    }

    /**
     * The same for other shapes: {@code alpha} multiplies the inner widths, {@code depth} the
     * number of stride-1 GE layers per semantic stage (BiSeNetV2-Large: 2 and 3, head width 2048),
     * {@code headWidth} is the main head's 3x3 conv width.
     */
    public static StateDict stateDict(int classes, boolean withAux, int alpha, int depth, int headWidth) {
        StateDict sd = new StateDict();
        for (Entry e : layout(classes, withAux, alpha, depth, headWidth)) {
            sd.put(e.key(), tensor(e.key(), e.shape()));
        }
        return sd;
    }

    /** The formula's tensor for {@code key} of the given shape. */
    public static Tensor tensor(String key, long[] shape) {
        if (key.endsWith(".num_batches_tracked")) {
            return Tensor.ofLongs(shape, new long[Math.toIntExact(Tensor.numel(shape))]);
        }
        int n = Math.toIntExact(Tensor.numel(shape));
        double phase = 0.3 * keyHash(key);
        double scale;
        double offset = 0;
        if (shape.length == 4) {
            scale = Math.sqrt(5.0 / (shape[1] * shape[2] * shape[3]));
        } else if (key.endsWith(".running_var")) {
            scale = 0.25;
            offset = 0.75;
        } else if (key.endsWith(".running_mean") || key.endsWith(".bias")) {
            scale = 0.1;
        } else if (key.endsWith(".conv2.1.weight")) {
            scale = 0.05;
            offset = 0.2;
        } else if (key.endsWith(".weight")) {
            scale = 0.25;
            offset = 1;
        } else {
            throw new IllegalArgumentException("no formula for key " + key);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // StrictMath: the same bits on every JVM, as Python's libm gives (to within an ulp)
            double t = 43758.5453 * StrictMath.sin(1.7 * i + phase);
            v[i] = (float) (offset + scale * (2 * (t - Math.floor(t)) - 1));
        }
        return Tensor.ofFloats(shape, v);
    }

    /** {@code sum_j (j+1) * key[j] mod 10007}. */
    public static int keyHash(String key) {
        long h = 0;
        for (int j = 0; j < key.length(); j++) {
            h += (long) (j + 1) * key.charAt(j);
        }
        return (int) (h % 10007);
    }

    /**
     * A test image, already normalised, shape (n, 3, h, w) row-major:
     * {@code sin(0.1 y + 0.13 x + 1.1 c + 0.5 b) + 0.5 cos(0.29 x - 0.17 y + 0.4 c)} for batch
     * index b, channel c, row y and column x, computed in double and rounded to float32.
     */
    public static float[] input(int n, int h, int w) {
        float[] out = new float[n * 3 * h * w];
        int i = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out[i++] = (float) (Math.sin(0.1 * y + 0.13 * x + 1.1 * c + 0.5 * b)
                                + 0.5 * Math.cos(0.29 * x - 0.17 * y + 0.4 * c));
                    }
                }
            }
        }
        return out;
    }

    /** The keys and shapes of the reference layout, in {@code state_dict()} order. */
    public static List<Entry> layout(int classes, boolean withAux, int alpha, int depth, int headWidth) {
        if (classes < 1 || alpha < 1 || depth < 1 || headWidth < 1) {
            throw new IllegalArgumentException("classes, alpha, depth and head width must be positive");
        }
        Layout l = new Layout();
        int c8 = 8 * alpha, c16 = 16 * alpha, c32 = 32 * alpha, c64 = 64 * alpha, c128 = 128 * alpha;
        // Detail Branch: S1 c64 s2, c64; S2 c64 s2, c64 x2; S3 c128 s2, c128 x2
        l.convBnRelu("detail.S1.0", 3, c64, 3);
        l.convBnRelu("detail.S1.1", c64, c64, 3);
        l.convBnRelu("detail.S2.0", c64, c64, 3);
        l.convBnRelu("detail.S2.1", c64, c64, 3);
        l.convBnRelu("detail.S2.2", c64, c64, 3);
        l.convBnRelu("detail.S3.0", c64, c128, 3);
        l.convBnRelu("detail.S3.1", c128, c128, 3);
        l.convBnRelu("detail.S3.2", c128, c128, 3);
        // Semantic Branch: Stem, then S3, S4, S5_4 (one stride-2 GE, then depth x 1, 1, 3 stride-1 GE), CE
        l.convBnRelu("segment.S1S2.conv", 3, c16, 3);
        l.convBnRelu("segment.S1S2.left.0", c16, c8, 1);
        l.convBnRelu("segment.S1S2.left.1", c8, c16, 3);
        l.convBnRelu("segment.S1S2.fuse", 2 * c16, c16, 3);
        l.stage("segment.S3", c16, c32, depth);
        l.stage("segment.S4", c32, c64, depth);
        l.stage("segment.S5_4", c64, c128, 3 * depth);
        l.bn("segment.S5_5.bn", c128);
        l.convBnRelu("segment.S5_5.conv_gap", c128, c128, 1);
        l.convBnRelu("segment.S5_5.conv_last", c128, c128, 3);
        // BGA
        l.conv("bga.left1.0", c128, 1, 3);
        l.bn("bga.left1.1", c128);
        l.conv("bga.left1.2", c128, c128, 1);
        l.conv("bga.left2.0", c128, c128, 3);
        l.bn("bga.left2.1", c128);
        l.conv("bga.right1.0", c128, c128, 3);
        l.bn("bga.right1.1", c128);
        l.conv("bga.right2.0", c128, 1, 3);
        l.bn("bga.right2.1", c128);
        l.conv("bga.right2.2", c128, c128, 1);
        l.conv("bga.conv.0", c128, c128, 3);
        l.bn("bga.conv.1", c128);
        // Head
        l.convBnRelu("head.conv", c128, headWidth, 3);
        l.classifier("head.conv_out.1", headWidth, classes);
        if (withAux) {
            l.booster("aux2", c16, c128, alpha * 4 * 4, classes);
            l.booster("aux3", c32, c128, alpha * 8 * 8, classes);
            l.booster("aux4", c64, c128, alpha * 16 * 16, classes);
            l.booster("aux5_4", c128, c128, alpha * 32 * 32, classes);
        }
        return l.entries;
    }

    private static final class Layout {
        final List<Entry> entries = new ArrayList<>();

        void add(String key, long... shape) {
            entries.add(new Entry(key, shape));
        }

        void conv(String p, int out, int inPerGroup, int k) {
            add(p + ".weight", out, inPerGroup, k, k);
        }

        void bn(String p, int c) {
            add(p + ".weight", c);
            add(p + ".bias", c);
            add(p + ".running_mean", c);
            add(p + ".running_var", c);
            add(p + ".num_batches_tracked");
        }

        void convBnRelu(String p, int in, int out, int k) {
            conv(p + ".conv", out, in, k);
            bn(p + ".bn", out);
        }

        void classifier(String p, int in, int classes) {
            conv(p, classes, in, 1);
            add(p + ".bias", classes);
        }

        void stage(String p, int in, int out, int stride1Layers) {
            // GE stride 2: conv1, dwconv1 (DW x6, s2), dwconv2 (DW, s1), conv2 (1x1), shortcut (DW s2 + 1x1)
            String g = p + ".0";
            convBnRelu(g + ".conv1", in, in, 3);
            conv(g + ".dwconv1.0", 6 * in, 1, 3);
            bn(g + ".dwconv1.1", 6 * in);
            conv(g + ".dwconv2.0", 6 * in, 1, 3);
            bn(g + ".dwconv2.1", 6 * in);
            conv(g + ".conv2.0", out, 6 * in, 1);
            bn(g + ".conv2.1", out);
            conv(g + ".shortcut.0", in, 1, 3);
            bn(g + ".shortcut.1", in);
            conv(g + ".shortcut.2", out, in, 1);
            bn(g + ".shortcut.3", out);
            for (int i = 1; i <= stride1Layers; i++) {
                // GE stride 1: conv1, dwconv (DW x6), conv2 (1x1)
                g = p + "." + i;
                convBnRelu(g + ".conv1", out, out, 3);
                conv(g + ".dwconv.0", 6 * out, 1, 3);
                bn(g + ".dwconv.1", 6 * out);
                conv(g + ".conv2.0", out, 6 * out, 1);
                bn(g + ".conv2.1", out);
            }
        }

        void booster(String p, int in, int mid, int mid2, int classes) {
            convBnRelu(p + ".conv", in, mid, 3);
            convBnRelu(p + ".conv_out.0.1", mid, mid2, 3);
            classifier(p + ".conv_out.1", mid2, classes);
        }
    }
}
