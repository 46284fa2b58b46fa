package dev.bisenet.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph under construction: nodes in topological order, initializers, and the channel
 * count of every value (so that a conv's group count follows from its weight shape and a wrong
 * shape is caught here, not by ONNX Runtime). Only the standard operators BiSeNetV2 needs.
 */
final class OnnxGraph {

    /** One node; an empty input name stands for an omitted optional input. */
    record Node(String opType, String name, List<String> inputs, List<String> outputs, List<byte[]> attributes) {
        Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            attributes = List.copyOf(attributes);
        }

        byte[] encode() {
            return OnnxProto.node(opType, name, inputs, outputs, attributes);
        }
    }

    /** A constant tensor: ONNX data type, dims and its little-endian row-major bytes. */
    record Initializer(String name, int dataType, long[] dims, byte[] raw) {
        byte[] encode() {
            return OnnxProto.tensor(name, dataType, dims, raw);
        }
    }

    // Kept as records, not encoded bytes, so that a later pass (int8 quantization, extra
    // calibration outputs) can read and rewrite the graph before it is encoded.
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Initializer> initializers = new LinkedHashMap<>();
    private final Map<String, Integer> channels = new HashMap<>();
    private final Map<String, Integer> uses = new HashMap<>();

    /** Declares a graph input (its value info is written by the caller) with its channel count. */
    String input(String name, int c) {
        channels.put(unique(name), c);
        return name;
    }

    int channels(String value) {
        Integer c = channels.get(value);
        if (c == null) throw new IllegalStateException("unknown value " + value);
        return c;
    }

    /** {@code base}, or {@code base_2}, {@code base_3}... if taken: node outputs must be unique. */
    String unique(String base) {
        int n = uses.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "_" + n;
    }

    byte[] encode(String name, List<byte[]> inputs, List<byte[]> outputs) {
        return OnnxProto.graph(name, nodes.stream().map(Node::encode).toList(),
                initializers.values().stream().map(Initializer::encode).toList(), inputs, outputs);
    }

    /** The nodes so far, in topological order. */
    List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** The initializer called {@code name}, or null when {@code name} is not one. */
    Initializer initializer(String name) {
        return initializers.get(name);
    }

    Collection<Initializer> initializers() {
        return Collections.unmodifiableCollection(initializers.values());
    }

    /** Adds a node as it is (names already unique), for passes that copy another graph. */
    void add(Node n) {
        for (String o : n.outputs()) {
            if (uses.merge(o, 1, Integer::sum) != 1) throw new IllegalArgumentException("value " + o + " is produced twice");
        }
        nodes.add(n);
    }

    /** Adds an initializer as it is (its name already unique). */
    void add(Initializer t) {
        if (uses.merge(t.name(), 1, Integer::sum) != 1) throw new IllegalArgumentException("initializer " + t.name() + " defined twice");
        initializers.put(t.name(), t);
    }

    // ---- initializers

    String floats(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return tensor(name, OnnxProto.FLOAT, dims, b.array());
    }

    /** An initializer of any data type from its little-endian bytes; returns its (unique) name. */
    String tensor(String name, int dataType, long[] dims, byte[] raw) {
        String n = unique(name);
        initializers.put(n, new Initializer(n, dataType, dims.clone(), raw));
        return n;
    }

    String longs(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return tensor(name, OnnxProto.INT64, new long[] {values.length}, b.array());
    }

    // ---- nodes

    /** Adds a node with one output named {@code out} (made unique) of {@code c} channels. */
    String op(String opType, String out, int c, List<String> inputs, byte[]... attributes) {
        String o = unique(out);
        nodes.add(new Node(opType, o, inputs, List.of(o), Arrays.asList(attributes)));
        channels.put(o, c);
        return o;
    }

    /**
     * A 2-D convolution with padding k/2 (as every conv of the model has); the group count is
     * the input's channels over the weight's dim 1 (1 for a full conv, C for a depthwise one).
     */
    String conv(String x, String out, BatchNormFold c, int stride) {
        long[] s = c.shape();
        int in = channels(x);
        if (s[2] != s[3] || s[2] % 2 == 0 || in % s[1] != 0 || s[0] % (in / s[1]) != 0) {
            throw new IllegalArgumentException(out + ": weight of shape " + Arrays.toString(s)
                    + " does not fit an input of " + in + " channels");
        }
        long group = in / s[1];
        long pad = s[2] / 2;
        String w = floats(out + ".weight", s, c.weightFloats());
        String b = floats(out + ".bias", new long[] {s[0]}, c.biasFloats());
        return op("Conv", out, (int) s[0], List.of(x, w, b),
                OnnxProto.attrInts("kernel_shape", s[2], s[3]),
                OnnxProto.attrInts("strides", stride, stride),
                OnnxProto.attrInts("pads", pad, pad, pad, pad),
                OnnxProto.attr("group", group));
    }

    /** A 1x1 convolution without bias (BGA's left1/right2 projections). */
    String conv1x1NoBias(String x, String out, long[] shape, float[] weight) {
        if (shape.length != 4 || shape[1] != channels(x) || shape[2] != 1 || shape[3] != 1) {
            throw new IllegalArgumentException(out + ": weight of shape " + Arrays.toString(shape)
                    + " is not a 1x1 conv on " + channels(x) + " channels");
        }
        String w = floats(out + ".weight", shape, weight);
        return op("Conv", out, (int) shape[0], List.of(x, w), OnnxProto.attrInts("kernel_shape", 1, 1));
    }

    String relu(String x) {
        return op("Relu", x + ".relu", channels(x), List.of(x));
    }

    String sigmoid(String x) {
        return op("Sigmoid", x + ".sigmoid", channels(x), List.of(x));
    }

    /** Elementwise (broadcasting) sum; the channel count is the larger one. */
    String add(String a, String b, String out) {
        return op("Add", out, Math.max(channels(a), channels(b)), List.of(a, b));
    }

    String mul(String a, String b, String out) {
        return op("Mul", out, Math.max(channels(a), channels(b)), List.of(a, b));
    }

    String concat(String out, String... xs) {
        int c = 0;
        for (String x : xs) c += channels(x);
        return op("Concat", out, c, List.of(xs), OnnxProto.attr("axis", 1L));
    }

    /** MaxPool 3x3, stride 2, padding 1 (padding never wins the max, as in PyTorch). */
    String maxPool3s2(String x, String out) {
        return op("MaxPool", out, channels(x), List.of(x),
                OnnxProto.attrInts("kernel_shape", 3, 3),
                OnnxProto.attrInts("strides", 2, 2),
                OnnxProto.attrInts("pads", 1, 1, 1, 1));
    }

    /** AveragePool 3x3, stride 2, padding 1, zero padding counted (PyTorch's count_include_pad). */
    String avgPool3s2(String x, String out) {
        return op("AveragePool", out, channels(x), List.of(x),
                OnnxProto.attrInts("kernel_shape", 3, 3),
                OnnxProto.attrInts("strides", 2, 2),
                OnnxProto.attrInts("pads", 1, 1, 1, 1),
                OnnxProto.attr("count_include_pad", 1L));
    }

    String globalAveragePool(String x, String out) {
        return op("GlobalAveragePool", out, channels(x), List.of(x));
    }

    /**
     * Nearest upsampling by an integer factor that picks source pixel floor(dst / factor), which
     * is what PyTorch's {@code nn.Upsample(scale_factor=f)} (mode 'nearest') does.
     */
    String upsampleNearest(String x, int factor, String out) {
        String scales = floats(out + ".scales", new long[] {4}, new float[] {1, 1, factor, factor});
        return op("Resize", out, channels(x), List.of(x, "", scales),
                OnnxProto.attr("mode", "nearest"),
                OnnxProto.attr("coordinate_transformation_mode", "asymmetric"),
                OnnxProto.attr("nearest_mode", "floor"));
    }

    /**
     * Bilinear resize of {@code x} to the height and width of {@code like}, with half-pixel
     * centres: PyTorch's {@code interpolate(mode='bilinear', align_corners=False)}. The target
     * size is read from {@code like}'s shape at run time, so the output always has the input's
     * size, also for a dynamic-size model.
     */
    String resizeBilinearLike(String x, String like, String out) {
        String hw = op("Slice", out + ".hw", 0, List.of(op("Shape", like + ".shape", 0, List.of(like)),
                longs(out + ".hw.starts", 2), longs(out + ".hw.ends", 4), longs(out + ".hw.axes", 0)));
        String nc = op("Slice", out + ".nc", 0, List.of(op("Shape", x + ".shape", 0, List.of(x)),
                longs(out + ".nc.starts", 0), longs(out + ".nc.ends", 2), longs(out + ".nc.axes", 0)));
        String sizes = op("Concat", out + ".sizes", 0, List.of(nc, hw), OnnxProto.attr("axis", 0L));
        return op("Resize", out, channels(x), List.of(x, "", "", sizes),
                OnnxProto.attr("mode", "linear"),
                OnnxProto.attr("coordinate_transformation_mode", "half_pixel"));
    }

    /** Index of the largest value along the channel axis (first on ties), as int32. */
    String argmaxChannels(String x, String out) {
        String idx = op("ArgMax", out + ".int64", 1, List.of(x),
                OnnxProto.attr("axis", 1L), OnnxProto.attr("keepdims", 0L));
        return op("Cast", out, 1, List.of(idx), OnnxProto.attr("to", (long) OnnxProto.INT32));
    }
}
