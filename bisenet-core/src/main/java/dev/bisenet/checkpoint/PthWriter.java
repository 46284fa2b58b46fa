package dev.bisenet.checkpoint;

import static dev.bisenet.checkpoint.Opcodes.*;

import dev.bisenet.util.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a {@link StateDict} as {@code torch.save(state_dict)} does: a ZIP of stored entries
 * {@code <name>/data.pkl} (an OrderedDict of {@code _rebuild_tensor_v2} calls, pickle protocol 2),
 * {@code <name>/data/<i>}, {@code <name>/version} and {@code <name>/byteorder}, with each entry's
 * data aligned to 64 bytes as torch aligns it. Loadable by {@code torch.load(..., weights_only=True)}.
 * The file appears atomically: never half-written under its real name.
 */
public final class PthWriter {

    private static final int ALIGN = 64;

    private PthWriter() {}

    public static void write(StateDict sd, Path file) throws IOException {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String root = (dot > 0 ? fileName.substring(0, dot) : fileName).replaceAll("[^A-Za-z0-9_.-]", "_");
        AtomicFiles.write(file, out -> writeTo(sd, root, out));
    }

    static void writeTo(StateDict sd, String root, OutputStream target) throws IOException {
        Counting counting = new Counting(target);
        try (ZipOutputStream zip = new ZipOutputStream(counting)) {
            zip.setMethod(ZipOutputStream.STORED);
            put(zip, counting, root + "/data.pkl", pickle(sd));
            put(zip, counting, root + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int i = 0;
            for (Tensor t : sd.asMap().values()) {
                put(zip, counting, root + "/data/" + i++, t.rawBytes());
            }
            put(zip, counting, root + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A stored entry whose data starts on a 64-byte boundary (padding in the extra field, as torch does). */
    private static void put(ZipOutputStream zip, Counting pos, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L + 43200000L); // a fixed date: identical weights give identical files
        long headerEnd = pos.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4; // + extra field header
        int pad = (int) ((ALIGN - headerEnd % ALIGN) % ALIGN);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F'; // an unregistered extra-field id, like torch's "FB" padding
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The pickle of {@code OrderedDict(key -> _rebuild_tensor_v2(...))}, protocol 2. */
    static byte[] pickle(StateDict sd) {
        Pickler p = new Pickler();
        p.proto(2);
        p.global("collections", "OrderedDict");
        p.op(EMPTY_TUPLE).op(REDUCE);
        int i = 0;
        int inBatch = 0;
        p.op(MARK);
        for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
            Tensor t = e.getValue();
            p.string(e.getKey());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.op(MARK);
            // persistent id ('storage', torch.XStorage, key, 'cpu', numel)
            p.op(MARK).string("storage").global("torch", t.dtype().storageClass()).string(Integer.toString(i++))
                    .string("cpu").integer(t.numel()).op(TUPLE).op(BINPERSID);
            p.integer(0); // storage offset
            long[] shape = t.shape();
            p.op(MARK);
            for (long d : shape) p.integer(d);
            p.op(TUPLE);
            p.op(MARK);
            long stride = 1;
            long[] strides = new long[shape.length];
            for (int k = shape.length - 1; k >= 0; k--) {
                strides[k] = stride;
                stride *= shape[k];
            }
            for (long s : strides) p.integer(s);
            p.op(TUPLE);
            p.op(NEWFALSE); // requires_grad
            p.global("collections", "OrderedDict").op(EMPTY_TUPLE).op(REDUCE); // backward hooks
            p.op(TUPLE).op(REDUCE);
            if (++inBatch == 1000) { // like pickle, SETITEMS in batches
                p.op(SETITEMS).op(MARK);
                inBatch = 0;
            }
        }
        p.op(SETITEMS);
        p.op(STOP);
        return p.bytes();
    }

    /** The few pickle opcodes the writer needs. */
    private static final class Pickler {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickler op(int code) {
            out.write(code);
            return this;
        }

        Pickler proto(int v) {
            return op(PROTO).op(v);
        }

        Pickler global(String module, String name) {
            op(GLOBAL);
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickler string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(BINUNICODE);
            le32(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickler integer(long v) {
            if (v >= 0 && v < 256) {
                return op(BININT1).op((int) v);
            }
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op(BININT);
                le32((int) v);
                return this;
            }
            op(LONG1).op(8); // 8 bytes little-endian two's complement
            for (int k = 0; k < 8; k++) out.write((int) (v >>> (8 * k)));
            return this;
        }

        private void le32(int v) {
            for (int k = 0; k < 4; k++) out.write(v >>> (8 * k));
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Counts bytes so entries can be aligned. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
