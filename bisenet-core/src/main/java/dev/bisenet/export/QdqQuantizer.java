package dev.bisenet.export;

import dev.bisenet.util.UserException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float32 graph into ONNX's QDQ form: a QuantizeLinear/DequantizeLinear pair after
 * every activation that an int8 node reads or writes, int8 conv weights and int32 biases behind
 * DequantizeLinear nodes. The graph stays a valid float graph that any ONNX runtime can run;
 * ONNX Runtime's CPU provider recognises the patterns and runs QLinearConv, QLinearAdd,
 * QLinearMul, QLinearSigmoid, QLinearConcat, QLinearAveragePool and QLinearGlobalAveragePool,
 * and MaxPool and nearest Resize on the 8-bit values directly. With float class scores
 * ({@link Int8Options.Part#CLASSIFIER}) the 1x1 classifier becomes a MatMul that it runs as
 * MatMulIntegerToFloat.
 *
 * <p>What ONNX Runtime needs to fuse, and this class therefore guarantees: every consumer of a
 * quantized tensor reads its DequantizeLinear (so the producer's only consumer is the
 * QuantizeLinear); a ReLU stays between a conv or add and its QuantizeLinear, whose zero point
 * is then the lowest integer (the ReLU outputs no negatives) so that the runtime drops it; the
 * bias scale is input scale x weight scale; ops that only move values (MaxPool, Resize) get the
 * same scale and zero point on both sides.
 */
final class QdqQuantizer {

    private static final Set<String> NOT_FLOAT = Set.of("Shape", "ArgMax", "Cast");
    private static final Set<String> QUANTIZABLE = Set.of("Conv", "Add", "Mul", "Sigmoid", "MaxPool", "AveragePool",
            "GlobalAveragePool", "Concat", "Resize");
    /** Ops that only select or interpolate values: their output keeps the input's parameters. */
    private static final Set<String> SAME_PARAMS = Set.of("MaxPool", "Resize");

    private final OnnxGraph src;
    private final String input;
    private final Set<String> outputs;
    private final Int8Options opt;
    private final String source;
    private final Map<String, OnnxGraph.Node> producer = new HashMap<>();
    private final Map<String, List<OnnxGraph.Node>> consumers = new HashMap<>();
    private final Set<String> floats = new HashSet<>();
    private final Map<String, QuantMath.Params> params = new HashMap<>();

    private QdqQuantizer(OnnxGraph src, String input, Set<String> outputs, Int8Options opt, String source) {
        this.src = src;
        this.input = input;
        this.outputs = outputs;
        this.opt = opt;
        this.source = source;
        floats.add(input);
        for (OnnxGraph.Node n : src.nodes()) {
            for (String v : n.inputs()) consumers.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
            String first = n.inputs().get(0);
            OnnxGraph.Initializer init = src.initializer(first);
            boolean floatIn = floats.contains(first) || (init != null && init.dataType() == OnnxProto.FLOAT);
            for (String o : n.outputs()) {
                producer.put(o, n);
                if (floatIn && !NOT_FLOAT.contains(n.opType())) floats.add(o);
            }
        }
    }

    /**
     * The activations a calibration must cover so that any {@link Int8Options} can be exported:
     * every float tensor computed by the graph (and its input), except those only a ReLU reads
     * (the ReLU's output is quantized instead).
     */
    static List<String> candidates(OnnxGraph g, String input) {
        QdqQuantizer q = new QdqQuantizer(g, input, Set.of(), null, "");
        List<String> out = new ArrayList<>();
        if (!q.onlyRelu(input)) out.add(input);
        for (OnnxGraph.Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (q.floats.contains(o) && !q.onlyRelu(o)) out.add(o);
            }
        }
        return out;
    }

    /**
     * The QDQ form of {@code g}.
     *
     * @param input the graph input
     * @param outputs the graph outputs: they keep their names and stay float32
     * @param source the checkpoint's name, for messages
     * @throws UserException when the calibration lacks a tensor the quantization needs
     */
    static OnnxGraph quantize(OnnxGraph g, String input, Set<String> outputs, Int8Options opt, String source) {
        return new QdqQuantizer(g, input, outputs, opt, source).rewrite();
    }

    private OnnxGraph rewrite() {
        Set<OnnxGraph.Node> int8 = new HashSet<>();
        Set<String> quantized = new LinkedHashSet<>();
        for (OnnxGraph.Node n : src.nodes()) {
            if (!isInt8(n)) continue;
            int8.add(n);
            for (String v : activationInputs(n)) quantized.add(v);
            String out = afterRelu(n.outputs().get(0));
            quantized.add(out);
            if (SAME_PARAMS.contains(n.opType())) {
                params.put(out, params(n.inputs().get(0)));
            }
        }

        // Float convs reading a quantized tensor: see addQdq. The classifier with float scores
        // becomes an integer matrix product with a float result instead: see classifierAsMatMul.
        Set<String> floatConvInputs = new HashSet<>();
        Set<OnnxGraph.Node> matMuls = new HashSet<>();
        for (OnnxGraph.Node n : src.nodes()) {
            if (n.opType().equals("Conv") && !int8.contains(n) && quantized.contains(n.inputs().get(0))) {
                if (n.name().equals(BiSeNetV2Graph.CLASSIFIER) && isPointwise(n)) {
                    matMuls.add(n);
                } else {
                    floatConvInputs.add(n.inputs().get(0));
                }
            }
        }

        OnnxGraph q = new OnnxGraph();
        Set<String> replaced = new HashSet<>();
        for (OnnxGraph.Node n : int8) {
            if (n.opType().equals("Conv")) replaced.addAll(n.inputs().subList(1, n.inputs().size()));
        }
        for (OnnxGraph.Node n : matMuls) replaced.add(n.inputs().get(1)); // the bias stays, for the Add
        for (OnnxGraph.Initializer t : src.initializers()) {
            if (!replaced.contains(t.name())) q.add(t);
        }
        if (quantized.contains(input)) addQdq(q, input, floatConvInputs.contains(input));
        for (OnnxGraph.Node n : src.nodes()) {
            List<String> ins = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                String v = n.inputs().get(i);
                boolean floatConv = n.opType().equals("Conv") && !int8.contains(n) && !matMuls.contains(n);
                ins.add(quantized.contains(v) && isActivationInput(n, i) ? (floatConv ? v + ".dq_channels" : dequantized(v)) : v);
            }
            if (int8.contains(n) && n.opType().equals("Conv")) quantizeConv(q, n, ins);
            if (matMuls.contains(n)) {
                classifierAsMatMul(q, n, ins.get(0));
                continue;
            }
            List<String> outs = new ArrayList<>();
            for (String o : n.outputs()) outs.add(quantized.contains(o) ? raw(o) : o);
            q.add(new OnnxGraph.Node(n.opType(), n.name(), ins, outs, n.attributes()));
            for (String o : n.outputs()) {
                if (quantized.contains(o)) addQdq(q, o, floatConvInputs.contains(o));
            }
        }
        return q;
    }

    // ---- which nodes run in int8

    private boolean isInt8(OnnxGraph.Node n) {
        String op = n.opType();
        if (!QUANTIZABLE.contains(op) || !floats.contains(n.outputs().get(0))) return false;
        Set<Int8Options.Part> keep = opt.keepFloat();
        String name = n.name();
        if (name.equals(BiSeNetV2Graph.HEAD_CONV)) return !keep.contains(Int8Options.Part.HEAD);
        if (name.equals(BiSeNetV2Graph.CLASSIFIER)) return !keep.contains(Int8Options.Part.CLASSIFIER);
        if (op.equals("Conv")) return !(isDepthwise(n) && keep.contains(Int8Options.Part.DEPTHWISE));
        if (name.startsWith(BiSeNetV2Graph.BGA_PREFIX)) return !keep.contains(Int8Options.Part.GATES);
        return !(outputs.contains(n.outputs().get(0)) && keep.contains(Int8Options.Part.OUTPUT));
    }

    /** A 1x1 conv: then it is a matrix product over channels at every pixel. */
    private boolean isPointwise(OnnxGraph.Node conv) {
        long[] w = src.initializer(conv.inputs().get(1)).dims();
        return w[2] == 1 && w[3] == 1;
    }

    private boolean isDepthwise(OnnxGraph.Node conv) {
        long[] w = src.initializer(conv.inputs().get(1)).dims();
        return w[1] == 1 && w[0] > 1;
    }

    /** Conv and Resize read an activation at input 0 only (then weights, scales, sizes). */
    private boolean isActivationInput(OnnxGraph.Node n, int i) {
        if ((n.opType().equals("Conv") || n.opType().equals("Resize")) && i > 0) return false;
        return floats.contains(n.inputs().get(i)) && src.initializer(n.inputs().get(i)) == null;
    }

    private List<String> activationInputs(OnnxGraph.Node n) {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            if (isActivationInput(n, i)) a.add(n.inputs().get(i));
        }
        return a;
    }

    private boolean onlyRelu(String v) {
        List<OnnxGraph.Node> c = consumers.getOrDefault(v, List.of());
        return c.size() == 1 && c.get(0).opType().equals("Relu") && !outputs.contains(v);
    }

    /** The ReLU's output when {@code v} feeds only a ReLU (quantized together), else {@code v}. */
    private String afterRelu(String v) {
        return onlyRelu(v) ? consumers.get(v).get(0).outputs().get(0) : v;
    }

    // ---- names and parameters

    /** The producer's own output of a quantized tensor: renamed only for graph outputs. */
    private String raw(String v) {
        return outputs.contains(v) ? v + ".float" : v;
    }

    /** What consumers read: the DequantizeLinear's output (the original name for a graph output). */
    private String dequantized(String v) {
        return outputs.contains(v) ? v : v + ".dq";
    }

    private QuantMath.Params params(String v) {
        QuantMath.Params p = params.get(v);
        if (p != null) return p;
        Calibration.Range r = opt.calibration().range(v);
        if (r == null) {
            throw new UserException(source + ": the calibration (of " + opt.calibration().checkpoint() + ") has no range for "
                    + v + "; it was made for another network layout; calibrate this checkpoint again");
        }
        p = QuantMath.activation(r, opt.activations() == Int8Options.Activations.UINT8);
        params.put(v, p);
        return p;
    }

    /**
     * Adds QuantizeLinear and DequantizeLinear after {@code v}; with {@code forFloatConv} also a
     * second DequantizeLinear, {@code v.dq_channels}, for the float convs that read {@code v}.
     * Its scale and zero point are per channel (all channels equal, so the values are the
     * same): ONNX Runtime 1.21 and later quantize a float conv between a per-tensor
     * DequantizeLinear and a QuantizeLinear themselves (with per-tensor weights, which costs this
     * network most of its accuracy), and leave it alone after a per-channel one.
     */
    private void addQdq(OnnxGraph q, String v, boolean forFloatConv) {
        QuantMath.Params p = params(v);
        boolean u8 = opt.activations() == Int8Options.Activations.UINT8;
        int zpType = u8 ? OnnxProto.UINT8 : OnnxProto.INT8;
        String scale = q.tensor(v + ".scale", OnnxProto.FLOAT, new long[0], floatBytes(p.scale()));
        String zp = q.tensor(v + ".zero_point", zpType, new long[0], new byte[] {(byte) p.zeroPoint()});
        q.add(new OnnxGraph.Node("QuantizeLinear", v + ".quantize", List.of(raw(v), scale, zp), List.of(v + ".q"), List.of()));
        q.add(new OnnxGraph.Node("DequantizeLinear", v + ".dequantize", List.of(v + ".q", scale, zp),
                List.of(dequantized(v)), List.of()));
        if (forFloatConv) {
            int c = src.channels(v);
            float[] scales = new float[c];
            java.util.Arrays.fill(scales, p.scale());
            byte[] zps = new byte[c];
            java.util.Arrays.fill(zps, (byte) p.zeroPoint());
            String cs = q.tensor(v + ".channel_scales", OnnxProto.FLOAT, new long[] {c}, floatBytes(scales));
            String cz = q.tensor(v + ".channel_zero_points", zpType, new long[] {c}, zps);
            q.add(new OnnxGraph.Node("DequantizeLinear", v + ".dequantize_channels", List.of(v + ".q", cs, cz),
                    List.of(v + ".dq_channels"), List.of(OnnxProto.attr("axis", 1L))));
        }
    }

    /**
     * Replaces the conv's float weight (and bias) in {@code ins} by DequantizeLinear outputs of
     * int8 (int32) initializers added to {@code q}.
     */
    private void quantizeConv(OnnxGraph q, OnnxGraph.Node conv, List<String> ins) {
        OnnxGraph.Initializer wt = src.initializer(conv.inputs().get(1));
        int out = (int) wt.dims()[0];
        float[] w = floats(wt);
        float[] b = conv.inputs().size() > 2 ? floats(src.initializer(conv.inputs().get(2))) : null;
        float inScale = params(conv.inputs().get(0)).scale();
        float[] scales = QuantMath.weightScales(w, out, opt.perChannelWeights(), b, inScale);
        QuantMath.Weights qw = QuantMath.quantizeWeights(w, out, scales);
        long[] scaleDims = opt.perChannelWeights() ? new long[] {out} : new long[0];
        List<byte[]> axis = opt.perChannelWeights() ? List.of(OnnxProto.attr("axis", 0L)) : List.of();

        String wq = q.tensor(wt.name() + ".int8", OnnxProto.INT8, wt.dims(), qw.values());
        String ws = q.tensor(wt.name() + ".scale", OnnxProto.FLOAT, scaleDims, floatBytes(scales));
        String wz = q.tensor(wt.name() + ".zero_point", OnnxProto.INT8, scaleDims, new byte[scales.length]);
        q.add(new OnnxGraph.Node("DequantizeLinear", wt.name() + ".dequantize", List.of(wq, ws, wz),
                List.of(wt.name() + ".dq"), axis));
        ins.set(1, wt.name() + ".dq");
        if (b != null) {
            String bn = conv.inputs().get(2);
            int[] qb = QuantMath.quantizeBias(b, inScale, scales);
            ByteBuffer bytes = ByteBuffer.allocate(4 * qb.length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(qb);
            String bq = q.tensor(bn + ".int32", OnnxProto.INT32, new long[] {out}, bytes.array());
            String bs = q.tensor(bn + ".scale", OnnxProto.FLOAT, scaleDims, floatBytes(QuantMath.biasScales(inScale, scales)));
            q.add(new OnnxGraph.Node("DequantizeLinear", bn + ".dequantize", List.of(bq, bs), List.of(bn + ".dq"), axis));
            ins.set(2, bn + ".dq");
        }
    }

    /**
     * The 1x1 conv {@code conv} on the dequantized {@code x} as channels-last matrix product
     * with int8 weights and a float32 result: Transpose to (N, H, W, C), MatMul by the weights
     * (C, classes) behind a per-column DequantizeLinear, Add the bias, Transpose back. ONNX
     * Runtime runs the product as MatMulIntegerToFloat (uint8 x int8, float output), so the
     * class scores are not rounded to 8 bits and no 1024-channel float tensor is made, and its
     * layout pass cancels the first Transpose against the channels-last int8 convs before it.
     */
    private void classifierAsMatMul(OnnxGraph q, OnnxGraph.Node conv, String x) {
        OnnxGraph.Initializer wt = src.initializer(conv.inputs().get(1));
        int out = (int) wt.dims()[0], in = (int) wt.dims()[1];
        float[] w = floats(wt);
        float[] scales = QuantMath.weightScales(w, out, opt.perChannelWeights(), null, 1f);
        QuantMath.Weights qw = QuantMath.quantizeWeights(w, out, scales);
        byte[] transposed = new byte[w.length]; // (classes, C) to (C, classes)
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) transposed[i * out + o] = qw.values()[o * in + i];
        }
        long[] scaleDims = opt.perChannelWeights() ? new long[] {out} : new long[0];
        List<byte[]> axis = opt.perChannelWeights() ? List.of(OnnxProto.attr("axis", 1L)) : List.of();
        String p = conv.name();
        String wq = q.tensor(wt.name() + ".int8", OnnxProto.INT8, new long[] {in, out}, transposed);
        String ws = q.tensor(wt.name() + ".scale", OnnxProto.FLOAT, scaleDims, floatBytes(scales));
        String wz = q.tensor(wt.name() + ".zero_point", OnnxProto.INT8, scaleDims, new byte[scales.length]);
        q.add(new OnnxGraph.Node("DequantizeLinear", wt.name() + ".dequantize", List.of(wq, ws, wz),
                List.of(wt.name() + ".dq"), axis));
        q.add(new OnnxGraph.Node("Transpose", p + ".nhwc", List.of(x), List.of(p + ".nhwc"),
                List.of(OnnxProto.attrInts("perm", 0, 2, 3, 1))));
        q.add(new OnnxGraph.Node("MatMul", p + ".matmul", List.of(p + ".nhwc", wt.name() + ".dq"), List.of(p + ".matmul"), List.of()));
        String last = p + ".matmul";
        if (conv.inputs().size() > 2) {
            q.add(new OnnxGraph.Node("Add", p + ".add_bias", List.of(last, conv.inputs().get(2)), List.of(p + ".add_bias"), List.of()));
            last = p + ".add_bias";
        }
        q.add(new OnnxGraph.Node("Transpose", p + ".nchw", List.of(last), conv.outputs(),
                List.of(OnnxProto.attrInts("perm", 0, 3, 1, 2))));
    }

    private static float[] floats(OnnxGraph.Initializer t) {
        if (t.dataType() != OnnxProto.FLOAT) throw new IllegalStateException(t.name() + " is not a float tensor");
        float[] f = new float[t.raw().length / 4];
        ByteBuffer.wrap(t.raw()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    private static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
