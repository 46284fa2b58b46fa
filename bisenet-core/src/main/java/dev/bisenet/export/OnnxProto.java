package dev.bisenet.export;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Encodes the handful of ONNX protobuf messages an inference graph needs, field by field.
 *
 * <p>Why by hand: ONNX's {@code onnx.proto} is third-party and generating Java classes from it
 * would mean shipping it; the messages used here are small and stable. Every field number below
 * is the one declared in the ONNX specification ({@code onnx/onnx.proto}, IR version 8, ONNX
 * 1.12), noted beside each message. Repeated scalar fields are written unpacked, proto2's default
 * for {@code onnx.proto}; readers accept both forms.
 *
 * <p>Each method returns the encoded body of one message; a parent embeds it as a
 * length-delimited field.
 */
public final class OnnxProto {

    /** TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int INT32 = 6;
    public static final int INT64 = 7;

    // AttributeProto.AttributeType values.
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_INTS = 7;

    private OnnxProto() {}

    /** Writes one message body. */
    @FunctionalInterface
    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }

    /**
     * ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
     * opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2), metadata_props = 14
     * (StringStringEntryProto: key = 1, value = 2).
     */
    public static byte[] model(long irVersion, String producer, String producerVersion, long opset,
            byte[] graph, Map<String, String> metadata) {
        return message(out -> {
            out.writeInt64(1, irVersion);
            out.writeString(2, producer);
            if (producerVersion != null && !producerVersion.isEmpty()) {
                out.writeString(3, producerVersion);
            }
            out.writeByteArray(7, graph);
            out.writeByteArray(8, message(o -> {
                o.writeString(1, ""); // the default ONNX operator domain
                o.writeInt64(2, opset);
            }));
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                out.writeByteArray(14, message(o -> {
                    o.writeString(1, e.getKey());
                    o.writeString(2, e.getValue());
                }));
            }
        });
    }

    /** GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12. */
    public static byte[] graph(String name, List<byte[]> nodes, List<byte[]> initializers,
            List<byte[]> inputs, List<byte[]> outputs) {
        return message(out -> {
            for (byte[] n : nodes) out.writeByteArray(1, n);
            out.writeString(2, name);
            for (byte[] t : initializers) out.writeByteArray(5, t);
            for (byte[] v : inputs) out.writeByteArray(11, v);
            for (byte[] v : outputs) out.writeByteArray(12, v);
        });
    }

    /**
     * NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. An empty input
     * name stands for an omitted optional input, as the spec allows.
     */
    public static byte[] node(String opType, String name, List<String> inputs, List<String> outputs,
            List<byte[]> attributes) {
        return message(out -> {
            for (String s : inputs) out.writeString(1, s);
            for (String s : outputs) out.writeString(2, s);
            out.writeString(3, name);
            out.writeString(4, opType);
            for (byte[] a : attributes) out.writeByteArray(5, a);
        });
    }

    /** AttributeProto: name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20. */
    public static byte[] attr(String name, long value) {
        return message(out -> {
            out.writeString(1, name);
            out.writeInt64(3, value);
            out.writeEnum(20, ATTR_INT);
        });
    }

    public static byte[] attr(String name, float value) {
        return message(out -> {
            out.writeString(1, name);
            out.writeFloat(2, value);
            out.writeEnum(20, ATTR_FLOAT);
        });
    }

    public static byte[] attr(String name, String value) {
        return message(out -> {
            out.writeString(1, name);
            out.writeString(4, value);
            out.writeEnum(20, ATTR_STRING);
        });
    }

    public static byte[] attrInts(String name, long... values) {
        return message(out -> {
            out.writeString(1, name);
            for (long v : values) out.writeInt64(8, v);
            out.writeEnum(20, ATTR_INTS);
        });
    }

    /** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian, row-major). */
    public static byte[] tensor(String name, int dataType, long[] dims, byte[] rawLittleEndian) {
        return message(out -> {
            for (long d : dims) out.writeInt64(1, d);
            out.writeInt32(2, dataType);
            out.writeString(8, name);
            out.writeByteArray(9, rawLittleEndian);
        });
    }

    /**
     * ValueInfoProto (name = 1, type = 2) of a tensor: TypeProto.tensor_type = 1,
     * TypeProto.Tensor (elem_type = 1, shape = 2), TensorShapeProto.dim = 1,
     * Dimension (dim_value = 1, dim_param = 2).
     *
     * @param dims each a {@link Long} (fixed size), a {@link String} (a named dynamic size) or
     *     null (a size not stated)
     */
    public static byte[] valueInfo(String name, int elemType, Object... dims) {
        byte[] shape = message(out -> {
            for (Object d : dims) {
                out.writeByteArray(1, message(o -> {
                    if (d instanceof String s) {
                        o.writeString(2, s);
                    } else if (d != null) {
                        o.writeInt64(1, ((Number) d).longValue());
                    }
                }));
            }
        });
        byte[] tensorType = message(out -> {
            out.writeInt32(1, elemType);
            out.writeByteArray(2, shape);
        });
        byte[] type = message(out -> out.writeByteArray(1, tensorType));
        return message(out -> {
            out.writeString(1, name);
            out.writeByteArray(2, type);
        });
    }
}
