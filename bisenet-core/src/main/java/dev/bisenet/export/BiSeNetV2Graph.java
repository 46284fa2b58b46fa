package dev.bisenet.export;

import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.Tensor;
import dev.bisenet.util.UserException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * BiSeNetV2's inference network written as ONNX nodes from a reference-layout state dict, stage
 * by stage as in Table 1 of the paper. Every width comes from the weight shapes and the number of
 * GE layers from the keys, so the base model, BiSeNetV2-Large and other head widths all export
 * the same way. BatchNorm is folded into the conv before it; booster heads are left out.
 */
final class BiSeNetV2Graph {

    /** Node names that int8 export options refer to. */
    static final String HEAD_CONV = "head.conv";
    static final String CLASSIFIER = "head.conv_out.1";
    static final String BGA_PREFIX = "bga.";

    private final OnnxGraph g;
    private final StateDict sd;
    private final String source;
    private final Set<String> used = new HashSet<>();

    BiSeNetV2Graph(OnnxGraph g, StateDict sd, String source) {
        this.g = g;
        this.sd = sd;
        this.source = source;
    }

    /** Adds the network from {@code input} (N, 3, H, W) and returns its logits (N, classes, H, W). */
    String build(String input) {
        String detail = detailBranch(input);                  // (N, 128, H/8, W/8)
        String semantic = semanticBranch(input);              // (N, 128, H/32, W/32)
        String fused = bga(detail, semantic);                 // (N, 128, H/8, W/8)
        String logits = head(fused, input);                   // (N, classes, H, W)
        checkAllUsed();
        return logits;
    }

    private String detailBranch(String x) {
        x = convBnRelu("detail.S1.0", x, 2);   // S1 | Conv k3 c64 s2           (N, 64, H/2, W/2)
        x = convBnRelu("detail.S1.1", x, 1);   // S1 | Conv k3 c64 s1
        x = convBnRelu("detail.S2.0", x, 2);   // S2 | Conv k3 c64 s2           (N, 64, H/4, W/4)
        x = convBnRelu("detail.S2.1", x, 1);   // S2 | Conv k3 c64 s1 x2
        x = convBnRelu("detail.S2.2", x, 1);
        x = convBnRelu("detail.S3.0", x, 2);   // S3 | Conv k3 c128 s2          (N, 128, H/8, W/8)
        x = convBnRelu("detail.S3.1", x, 1);   // S3 | Conv k3 c128 s1 x2
        return convBnRelu("detail.S3.2", x, 1);
    }

    private String semanticBranch(String x) {
        x = stem("segment.S1S2", x);           // S1-S2 | Stem c16 s4           (N, 16, H/4, W/4)
        x = geStage("segment.S3", x);          // S3 | GE c32 e6 s2; GE s1 x d  (N, 32, H/8, W/8)
        x = geStage("segment.S4", x);          // S4 | GE c64 e6 s2; GE s1 x d  (N, 64, H/16, W/16)
        x = geStage("segment.S5_4", x);        // S5 | GE c128 s2; GE s1 x 3d   (N, 128, H/32, W/32)
        return contextEmbedding("segment.S5_5", x); // S5 | CE c128          (N, 128, H/32, W/32)
    }

    private String stem(String p, String x) {
        String f = convBnRelu(p + ".conv", x, 2);             // (N, 16, H/2, W/2)
        String left = convBnRelu(p + ".left.0", f, 1);        // 1x1 to 8
        left = convBnRelu(p + ".left.1", left, 2);            // (N, 16, H/4, W/4)
        String right = g.maxPool3s2(f, p + ".right");         // (N, 16, H/4, W/4)
        return convBnRelu(p + ".fuse", g.concat(p + ".cat", left, right), 1);
    }

    /** One stride-2 GE layer, then as many stride-1 GE layers as the checkpoint has. */
    private String geStage(String p, String x) {
        if (!sd.contains(p + ".0.dwconv1.0.weight")) {
            throw new UserException(source + ": " + p + ".0 is not a stride-2 GE layer (no " + p
                    + ".0.dwconv1.0.weight): not a BiSeNetV2 checkpoint of the supported layout");
        }
        x = geLayerS2(p + ".0", x);
        for (int i = 1; sd.contains(p + "." + i + ".conv1.conv.weight"); i++) {
            x = geLayerS1(p + "." + i, x);
        }
        return x;
    }

    private String geLayerS1(String p, String x) {
        String f = convBnRelu(p + ".conv1", x, 1);
        f = g.relu(conv(p + ".dwconv.0", p + ".dwconv.1", f, 1, p + ".dwconv"));  // DW x6 (ReLU not in paper)
        f = conv(p + ".conv2.0", p + ".conv2.1", f, 1, p + ".conv2");             // 1x1 projection
        return g.relu(g.add(f, x, p));
    }

    private String geLayerS2(String p, String x) {
        String f = convBnRelu(p + ".conv1", x, 1);
        f = conv(p + ".dwconv1.0", p + ".dwconv1.1", f, 2, p + ".dwconv1");           // DW x6, s2
        f = g.relu(conv(p + ".dwconv2.0", p + ".dwconv2.1", f, 1, p + ".dwconv2"));  // DW (ReLU not in paper)
        f = conv(p + ".conv2.0", p + ".conv2.1", f, 1, p + ".conv2");
        String s = conv(p + ".shortcut.0", p + ".shortcut.1", x, 2, p + ".shortcut.dw");
        s = conv(p + ".shortcut.2", p + ".shortcut.3", s, 1, p + ".shortcut");
        return g.relu(g.add(f, s, p));
    }

    /**
     * CE: global average pool, BN, 1x1 ConvBNReLU, broadcast add, 3x3 ConvBNReLU. The BN after
     * the pooling acts on a (N, C, 1, 1) tensor right before a 1x1 conv, so it is an affine map
     * folded exactly into that conv's input side (then the conv's own BN into its output side).
     */
    private String contextEmbedding(String p, String x) {
        String gap = g.globalAveragePool(x, p + ".gap");      // (N, 128, 1, 1)
        double[][] bn = BatchNormFold.batchNormAffine(vector(p + ".bn.weight"), vector(p + ".bn.bias"),
                vector(p + ".bn.running_mean"), vector(p + ".bn.running_var"));
        BatchNormFold c = rawConv(p + ".conv_gap.conv").foldInputAffine(bn[0], bn[1]);
        String f = g.relu(g.conv(gap, p + ".conv_gap", foldBn(c, p + ".conv_gap.bn"), 1));
        f = g.add(f, x, p + ".add");                          // (N, 128, H/32, W/32)
        return convBnRelu(p + ".conv_last", f, 1);            // plain conv in the paper
    }

    /** Bilateral Guided Aggregation of detail (1/8) and semantic (1/32) features. */
    private String bga(String xd, String xs) {
        String p = "bga"; // BGA_PREFIX
        String left1 = conv(p + ".left1.0", p + ".left1.1", xd, 1, p + ".left1.dw");     // DW + BN
        left1 = conv1x1(p + ".left1.2", left1);                                          // (N, 128, H/8, W/8)
        String left2 = conv(p + ".left2.0", p + ".left2.1", xd, 2, p + ".left2.conv");   // (N, 128, H/16, W/16)
        left2 = g.avgPool3s2(left2, p + ".left2");                                       // (N, 128, H/32, W/32)
        String right1 = conv(p + ".right1.0", p + ".right1.1", xs, 1, p + ".right1");    // (N, 128, H/32, W/32)
        String right2 = conv(p + ".right2.0", p + ".right2.1", xs, 1, p + ".right2.dw"); // DW + BN
        right2 = conv1x1(p + ".right2.2", right2);
        // The reference upsamples right1 and then applies the sigmoid; nearest upsampling only
        // copies values, so the sigmoid goes first on 16x fewer pixels with identical results.
        // Nearest, not the paper's bilinear: the public checkpoints were trained with it.
        String gate1 = g.upsampleNearest(g.sigmoid(right1), 4, p + ".up1");             // (N, 128, H/8, W/8)
        String left = g.mul(left1, gate1, p + ".left");
        String right = g.mul(left2, g.sigmoid(right2), p + ".right");                   // (N, 128, H/32, W/32)
        right = g.upsampleNearest(right, 4, p + ".up2");                                 // (N, 128, H/8, W/8)
        String sum = g.add(left, right, p + ".sum");
        return g.relu(conv(p + ".conv.0", p + ".conv.1", sum, 1, p + ".conv"));         // ReLU not in paper
    }

    private String head(String x, String input) {
        String f = convBnRelu(HEAD_CONV, x, 1);                                        // (N, 1024, H/8, W/8)
        // head.drop: dropout, training only. head.conv_out.0 is an identity in this layout.
        BatchNormFold cls = BatchNormFold.of(tensor("head.conv_out.1.weight", 4).shape(),
                floats("head.conv_out.1.weight", 4), vector("head.conv_out.1.bias"));
        String small = g.conv(f, CLASSIFIER, cls, 1);                                    // (N, classes, H/8, W/8)
        return g.resizeBilinearLike(small, input, "logits");                             // (N, classes, H, W)
    }

    // ---- weights

    private String convBnRelu(String p, String x, int stride) {
        return g.relu(conv(p + ".conv", p + ".bn", x, stride, p));
    }

    /** Conv {@code convPrefix}.weight followed by BN {@code bnPrefix}, folded into one conv node. */
    private String conv(String convPrefix, String bnPrefix, String x, int stride, String out) {
        return g.conv(x, out, foldBn(rawConv(convPrefix), bnPrefix), stride);
    }

    private String conv1x1(String key, String x) {
        Tensor w = tensor(key + ".weight", 4);
        return g.conv1x1NoBias(x, key, w.shape(), floats(key + ".weight", 4));
    }

    private BatchNormFold rawConv(String convPrefix) {
        Tensor w = tensor(convPrefix + ".weight", 4);
        return BatchNormFold.of(w.shape(), floats(convPrefix + ".weight", 4), null);
    }

    private BatchNormFold foldBn(BatchNormFold c, String bn) {
        float[] gamma = vector(bn + ".weight");
        if (gamma.length != c.outChannels()) {
            throw new UserException(source + ": " + bn + ".weight has " + gamma.length
                    + " channels but the conv before it has " + c.outChannels());
        }
        float[] var = vector(bn + ".running_var");
        for (int i = 0; i < var.length; i++) {
            if (!(var[i] >= 0)) {
                throw new UserException(source + ": " + bn + ".running_var[" + i + "] is " + var[i]
                        + "; a variance must be non-negative (corrupt checkpoint?)");
            }
        }
        used.add(bn + ".num_batches_tracked");
        return c.foldBatchNorm(gamma, vector(bn + ".bias"), vector(bn + ".running_mean"), var);
    }

    private float[] vector(String key) {
        return floats(key, 1);
    }

    private float[] floats(String key, int rank) {
        return tensor(key, rank).toFloats();
    }

    private Tensor tensor(String key, int rank) {
        Tensor t = sd.get(key);
        if (t == null) {
            throw new UserException(source + ": missing " + key + "; not a complete BiSeNetV2 checkpoint");
        }
        if (t.rank() != rank || !t.dtype().isFloating()) {
            throw new UserException(source + ": " + key + " is " + t + ", expected a floating-point tensor of rank " + rank);
        }
        used.add(key);
        return t;
    }

    /** Keys the network did not read, beyond booster heads and BN counters, mean a layout we do not know. */
    private void checkAllUsed() {
        List<String> unknown = new ArrayList<>();
        for (String k : sd.keys()) {
            if (!used.contains(k) && !k.startsWith("aux") && !k.endsWith(".num_batches_tracked")) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new UserException(source + ": " + unknown.size() + " keys do not belong to a BiSeNetV2 inference"
                    + " network, such as " + String.join(", ", unknown.subList(0, Math.min(5, unknown.size())))
                    + "; is this a checkpoint of another model?");
        }
    }
}
