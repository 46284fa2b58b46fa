package dev.bisenet.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format 1.0 to 3.0, C order) of float32 and integer
 * arrays, so that logits and label maps can be compared with PyTorch in a line of Python.
 *
 * <p>Hand-written because no maintained Java library on Maven Central covers this small format
 * without pulling in a whole array stack; the format is documented in NumPy's
 * {@code numpy/lib/format.py} (NEP 1).
 */
public final class Npy {

    /** A float array and its shape (row-major). */
    public record FloatArray(long[] shape, float[] data) {}

    /** An integer array and its shape (row-major). */
    public record IntArray(long[] shape, int[] data) {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** No header of a sane array comes near this; a bigger one means a corrupt or hostile file. */
    private static final int MAX_HEADER = 1 << 20;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static void writeFloats(Path file, float[] data, long... shape) throws IOException {
        check(data.length, shape);
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        write(file, "<f4", shape, body.array());
    }

    public static void writeInts(Path file, int[] data, long... shape) throws IOException {
        check(data.length, shape);
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asIntBuffer().put(data);
        write(file, "<i4", shape, body.array());
    }

    /** Reads a float32 or float64 array (float64 is narrowed to float32). */
    public static FloatArray readFloats(Path file) throws IOException {
        Raw raw = read(file);
        int n = raw.count();
        float[] out = new float[n];
        ByteBuffer b = raw.body;
        switch (raw.type) {
            case "f4" -> b.asFloatBuffer().get(out);
            case "f8" -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
            }
            default -> throw new UserException(file + ": holds " + raw.descr + " values, expected float32 ('<f4')");
        }
        return new FloatArray(raw.shape, out);
    }

    /** Reads an array of 8-, 16-, 32- or 64-bit integers (64-bit values must fit in an int). */
    public static IntArray readInts(Path file) throws IOException {
        Raw raw = read(file);
        int n = raw.count();
        int[] out = new int[n];
        ByteBuffer b = raw.body;
        switch (raw.type) {
            case "i1", "b1" -> {
                for (int i = 0; i < n; i++) out[i] = b.get(i);
            }
            case "u1" -> {
                for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff;
            }
            case "i2" -> {
                for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2);
            }
            case "u2" -> {
                for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2) & 0xffff;
            }
            case "i4" -> b.asIntBuffer().get(out);
            case "i8" -> {
                for (int i = 0; i < n; i++) {
                    long v = b.getLong(i * 8);
                    if (v != (int) v) {
                        throw new UserException(file + ": value " + v + " at index " + i + " does not fit in an int");
                    }
                    out[i] = (int) v;
                }
            }
            default -> throw new UserException(file + ": holds " + raw.descr + " values, expected integers");
        }
        return new IntArray(raw.shape, out);
    }

    private record Raw(String descr, String type, long[] shape, ByteBuffer body) {
        int count() {
            return body.remaining() / Integer.parseInt(type.substring(1));
        }
    }

    private static Raw read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, file);
            pre.flip();
            byte[] magic = new byte[6];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new UserException(file + ": not a .npy file (no \\x93NUMPY magic at the start)");
            }
            int major = pre.get() & 0xff;
            pre.get(); // minor version: nothing depends on it
            long headerLen;
            int prefix;
            if (major == 1) {
                headerLen = pre.getShort(8) & 0xffff;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                headerLen = pre.getInt(8) & 0xffffffffL;
                prefix = 12;
            } else {
                throw new UserException(file + ": .npy format version " + major + " is not supported (1 to 3 are)");
            }
            if (headerLen > MAX_HEADER || prefix + headerLen > size) {
                throw new UserException(file + ": corrupt .npy header (declares " + headerLen + " header bytes in a "
                        + size + "-byte file)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.position(prefix);
            readFully(ch, hb, file);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = field(DESCR, header, "descr", file);
            if (field(FORTRAN, header, "fortran_order", file).equals("True")) {
                throw new UserException(file + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
            }
            long[] shape = parseShape(field(SHAPE, header, "shape", file), file);
            if (descr.length() < 3 || "<>|=".indexOf(descr.charAt(0)) < 0) {
                throw new UserException(file + ": unsupported dtype '" + descr + "'");
            }
            String type = descr.substring(1);
            if (!type.matches("[ifub][1248]")) {
                throw new UserException(file + ": unsupported dtype '" + descr + "'");
            }
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            long bytes = Math.multiplyExact(count, Integer.parseInt(type.substring(1)));
            long dataStart = prefix + headerLen;
            if (bytes != size - dataStart) {
                throw new UserException(file + ": shape " + Arrays.toString(shape) + " of " + descr + " needs " + bytes
                        + " data bytes, the file has " + (size - dataStart));
            }
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new UserException(file + ": array of " + bytes + " bytes is too large to read into memory");
            }
            ByteBuffer body = ByteBuffer.allocate((int) bytes);
            ch.position(dataStart);
            readFully(ch, body, file);
            body.flip();
            body.order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            return new Raw(descr, type, shape, body);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file", e);
        }
    }

    private static String field(Pattern p, String header, String name, Path file) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new UserException(file + ": corrupt .npy header, no '" + name + "' in " + header.strip());
        }
        return m.group(1);
    }

    private static long[] parseShape(String s, Path file) {
        String[] parts = s.split(",");
        long[] out = new long[parts.length];
        int n = 0;
        for (String p : parts) {
            String t = p.strip();
            if (t.isEmpty()) {
                continue; // "(5,)" and "()"
            }
            try {
                out[n] = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new UserException(file + ": corrupt .npy shape (" + s + ")");
            }
            if (out[n] < 0) {
                throw new UserException(file + ": negative dimension in .npy shape (" + s + ")");
            }
            n++;
        }
        return Arrays.copyOf(out, n);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new UserException(file + ": truncated .npy file");
            }
        }
    }

    private static void check(int length, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n + " elements, data has " + length);
        }
    }

    private static void write(Path file, String descr, long[] shape, byte[] body) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        // Pad with spaces and end with a newline so that the data starts on a 64-byte boundary,
        // as NumPy itself does (format 1.0: 10 bytes of magic, version and header length first).
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        AtomicFiles.write(file, out -> {
            out.write(pre.array());
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
        });
    }
}
