package dev.bisenet.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph under construction: nodes in topological order, initializers, and the channel
 * count of every value (so that a conv's group count follows from its weight shape and a wrong
 * shape is caught here, not by ONNX Runtime). Only the standard operators BiSeNetV2 needs.
 */
final class OnnxGraph {

    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
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
        return OnnxProto.graph(name, nodes, initializers, inputs, outputs);
    }

    // ---- initializers

    String floats(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        String n = unique(name);
        initializers.add(OnnxProto.tensor(n, OnnxProto.FLOAT, dims, b.array()));
        return n;
    }

    String longs(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        String n = unique(name);
        initializers.add(OnnxProto.tensor(n, OnnxProto.INT64, new long[] {values.length}, b.array()));
        return n;
    }

    // ---- nodes

    /** Adds a node with one output named {@code out} (made unique) of {@code c} channels. */
    String op(String opType, String out, int c, List<String> inputs, byte[]... attributes) {
        String o = unique(out);
        nodes.add(OnnxProto.node(opType, o, inputs, List.of(o), Arrays.asList(attributes)));
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
