package dev.bisenet.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named-free tensor as it sits in a checkpoint: element type, shape and contiguous
 * little-endian row-major bytes. Plain Java, no engine: checkpoints are read and written
 * without DJL so that the ONNX-only runtime can use them too.
 */
public final class Tensor {

    /** Element types a PyTorch state_dict can hold, with their storage class names. */
    public enum DType {
        FLOAT32(4, "FloatStorage"),
        FLOAT64(8, "DoubleStorage"),
        FLOAT16(2, "HalfStorage"),
        BFLOAT16(2, "BFloat16Storage"),
        INT64(8, "LongStorage"),
        INT32(4, "IntStorage"),
        INT16(2, "ShortStorage"),
        INT8(1, "CharStorage"),
        UINT8(1, "ByteStorage"),
        BOOL(1, "BoolStorage");

        private final int bytes;
        private final String storageClass;

        DType(int bytes, String storageClass) {
            this.bytes = bytes;
            this.storageClass = storageClass;
        }

        public int bytes() {
            return bytes;
        }

        /** The name of the matching {@code torch.*Storage} global in a pickle. */
        public String storageClass() {
            return storageClass;
        }

        public boolean isFloating() {
            return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
        }

        /** The dtype whose storage class is {@code name}, or null. */
        public static DType ofStorageClass(String name) {
            for (DType t : values()) {
                if (t.storageClass.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    private final DType dtype;
    private final long[] shape;
    private final byte[] data; // contiguous, row-major, little-endian

    private Tensor(DType dtype, long[] shape, byte[] data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = numel(shape);
        if (n * dtype.bytes() != data.length) {
            throw new IllegalArgumentException(
                    "tensor of shape " + Arrays.toString(shape) + " and type " + dtype
                            + " needs " + n * dtype.bytes() + " bytes, got " + data.length);
        }
        this.data = data;
    }

    /** Wraps raw little-endian bytes (not copied). */
    public static Tensor ofBytes(DType dtype, long[] shape, byte[] littleEndian) {
        return new Tensor(dtype, shape, littleEndian);
    }

    public static Tensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(DType.FLOAT32, shape, b.array());
    }

    public static Tensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(DType.INT64, shape, b.array());
    }

    /** A 0-dimensional int64 tensor, such as BatchNorm's {@code num_batches_tracked}. */
    public static Tensor scalarLong(long value) {
        return ofLongs(new long[0], new long[] {value});
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return numel(shape);
    }

    /** The raw little-endian bytes; callers must not modify them. */
    public byte[] rawBytes() {
        return data;
    }

    /** The values as float32, converting from any floating or integer type. */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case FLOAT64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
            }
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2));
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            }
            default -> {
                long[] l = toLongs();
                for (int i = 0; i < n; i++) out[i] = l[i];
            }
        }
        return out;
    }

    /** The values as int64; only for integer and bool types. */
    public long[] toLongs() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case INT64 -> b.asLongBuffer().get(out);
            case INT32 -> {
                for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4);
            }
            case INT16 -> {
                for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2);
            }
            case INT8 -> {
                for (int i = 0; i < n; i++) out[i] = data[i];
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < n; i++) out[i] = data[i] & 0xff;
            }
            default -> throw new IllegalStateException("tensor of type " + dtype + " is not an integer tensor");
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat needs Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The shape written the way PyTorch prints it: {@code (64, 3, 3, 3)}, {@code (64,)}, {@code ()}. */
    public static String shapeString(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) s.append(", ");
            s.append(shape[i]);
        }
        if (shape.length == 1) s.append(',');
        return s.append(')').toString();
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString(shape) + " " + dtype;
    }
}
