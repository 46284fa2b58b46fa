package dev.bisenet.checkpoint;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the {@code .pth} files that {@code torch.save(model.state_dict())} writes: a ZIP archive
 * holding {@code <root>/data.pkl} (the pickled dict) and {@code <root>/data/<key>} (raw
 * little-endian storages). Safe on untrusted files: see {@link Unpickler}; sizes from the file
 * are checked against the archive before anything is allocated.
 */
public final class PthReader {

    /** More than any BiSeNetV2 (Large: ~60 MB) needs; a forged header cannot make us allocate more. */
    static final long MAX_TOTAL_BYTES = 4L << 30;
    private static final long MAX_PICKLE_BYTES = 256L << 20;
    private static final int MAX_NESTING = 16;

    private PthReader() {}

    /**
     * The flat state_dict of a checkpoint. A dict of dicts (the reference's backbone file
     * {@code {'detail': ..., 'segment': ...}}) is flattened with dots; a state_dict wrapped as
     * {@code {'state_dict': ...}} or {@code {'model': ...}} (with other entries such as an epoch)
     * is unwrapped.
     */
    public static StateDict readStateDict(Path file) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": no such checkpoint file");
        }
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new UserException(file + ": cannot read (" + e.getMessage() + ")");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = findPickle(zip, name);
            String root = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Object obj = Unpickler.load(readEntry(zip, pkl, MAX_PICKLE_BYTES, fileSize, name), name);
            if (zip.getEntry(root + "byteorder") != null) {
                String order = new String(readEntry(zip, zip.getEntry(root + "byteorder"), 16, fileSize, name)).trim();
                if (!order.equals("little")) {
                    throw new UserException(name + ": written on a " + order + "-endian machine; only little-endian checkpoints are supported");
                }
            }
            Map<?, ?> dict = unwrap(obj, name);
            StateDict sd = new StateDict();
            Storages storages = new Storages(zip, root, fileSize, name);
            flatten(dict, "", sd, storages, name, 0);
            if (sd.size() == 0) {
                throw new UserException(name + ": the checkpoint holds no tensors");
            }
            return sd;
        } catch (ZipException e) {
            throw new UserException(name + ": not a PyTorch checkpoint (not a readable ZIP archive: " + e.getMessage()
                    + "); legacy non-ZIP .pth files (torch < 1.6) are not supported: re-save with a recent torch");
        } catch (IOException e) {
            throw new UserException(name + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static ZipEntry findPickle(ZipFile zip, String name) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        ZipEntry found = null;
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String n = e.getName();
            if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                if (found != null) throw new UserException(name + ": the archive has two data.pkl entries");
                found = e;
            }
        }
        if (found == null) {
            throw new UserException(name + ": not a PyTorch checkpoint (no <root>/data.pkl entry in the ZIP archive)");
        }
        return found;
    }

    private static Map<?, ?> unwrap(Object obj, String name) {
        if (!(obj instanceof Map<?, ?> m)) {
            throw new UserException(name + ": the checkpoint holds a " + obj.getClass().getSimpleName() + ", not a state_dict");
        }
        for (String wrapper : List.of("state_dict", "model", "model_state_dict", "net")) {
            if (m.get(wrapper) instanceof Map<?, ?> inner && !(m.values().stream().allMatch(v -> v instanceof Map))) {
                return inner;
            }
        }
        return m;
    }

    private static void flatten(Map<?, ?> dict, String prefix, StateDict out, Storages storages, String name, int depth) {
        if (depth > MAX_NESTING) throw new UserException(name + ": dicts nested more than " + MAX_NESTING + " deep");
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new UserException(name + ": a state_dict key is not a string: " + e.getKey());
            }
            Object v = e.getValue();
            if (v instanceof Unpickler.TensorRef t) {
                out.put(prefix + key, storages.tensor(t, prefix + key));
            } else if (v instanceof Map<?, ?> inner) {
                flatten(inner, prefix + key + ".", out, storages, name, depth + 1);
            } else if (depth > 0 || !prefix.isEmpty()) {
                throw new UserException(name + ": entry " + prefix + key + " is a " + v.getClass().getSimpleName() + ", not a tensor");
            } // top-level non-tensor extras (an epoch counter, a name) are ignored
        }
    }

    /** Storages by key, read on first use and checked against the archive. */
    private static final class Storages {
        private final ZipFile zip;
        private final String root;
        private final long fileSize;
        private final String name;
        private final Map<String, byte[]> cache = new HashMap<>();
        private long total;
        private long viewBytes;

        Storages(ZipFile zip, String root, long fileSize, String name) {
            this.zip = zip;
            this.root = root;
            this.fileSize = fileSize;
            this.name = name;
        }

        Tensor tensor(Unpickler.TensorRef t, String key) {
            Unpickler.StorageRef s = t.storage();
            int item = s.dtype().bytes();
            byte[] data = storage(s, item);
            long numel;
            long last = t.offset(); // the last element the view reaches must lie inside the storage
            try {
                numel = Tensor.numel(t.size());
                for (int i = 0; i < t.size().length; i++) {
                    if (t.size()[i] == 0) {
                        last = -1;
                        break;
                    }
                    last = Math.addExact(last, Math.multiplyExact(t.size()[i] - 1, t.stride()[i]));
                }
            } catch (ArithmeticException e) {
                throw new UserException(name + ": tensor " + key + " " + Tensor.shapeString(t.size())
                        + " has sizes or strides beyond any storage");
            }
            if (numel > 0 && (t.offset() < 0 || last >= s.numel())) {
                throw new UserException(name + ": tensor " + key + " " + Tensor.shapeString(t.size())
                        + " reaches past the end of its storage (" + s.numel() + " elements)");
            }
            // a view without overlap never has more elements than its storage; an overlapping one
            // (stride 0) would turn a few bytes of file into gigabytes of tensor
            if (numel > s.numel()) {
                throw new UserException(name + ": tensor " + key + " " + Tensor.shapeString(t.size()) + " has more elements"
                        + " than its storage (" + s.numel() + "); overlapping views are not supported in checkpoints");
            }
            if (viewBytes + numel * item > MAX_TOTAL_BYTES) {
                throw new UserException(name + ": the tensors take more than " + (MAX_TOTAL_BYTES >> 30)
                        + " GiB in total; checkpoints that large are refused");
            }
            viewBytes += numel * item;
            byte[] out = new byte[Math.toIntExact(numel * item)];
            copyStrided(data, item, t.offset(), t.size(), t.stride(), out);
            return Tensor.ofBytes(s.dtype(), t.size(), out);
        }

        private byte[] storage(Unpickler.StorageRef s, int item) {
            byte[] cached = cache.get(s.key());
            if (cached != null) {
                // tensors share a storage by key; each reference restates its type and size (found by fuzzing)
                if (cached.length != s.numel() * item) {
                    throw new UserException(name + ": storage " + s.key() + " is named twice with different sizes or"
                            + " types (" + cached.length + " bytes, then " + s.numel() + " elements of " + item + " bytes)");
                }
                return cached;
            }
            ZipEntry e = zip.getEntry(root + "data/" + s.key());
            if (e == null) {
                throw new UserException(name + ": storage " + s.key() + " is named in data.pkl but missing from the archive");
            }
            long expected = s.numel() * item;
            if (s.numel() > (Integer.MAX_VALUE - 8) / item || total + expected > MAX_TOTAL_BYTES) {
                throw new UserException(name + ": storage " + s.key() + " declares " + s.numel() + " elements; storages over 2 GiB, or "
                        + (MAX_TOTAL_BYTES >> 30) + " GiB in total, are refused");
            }
            if (e.getSize() >= 0 && e.getSize() != expected) {
                throw new UserException(name + ": storage " + s.key() + " should hold " + expected + " bytes but its entry has "
                        + e.getSize());
            }
            byte[] data = readEntry(zip, e, expected, fileSize, name);
            if (data.length != expected) {
                throw new UserException(name + ": storage " + s.key() + " holds " + data.length + " bytes, expected " + expected);
            }
            total += expected;
            cache.put(s.key(), data);
            return data;
        }
    }

    /** Copies a strided view into contiguous row-major order. */
    static void copyStrided(byte[] src, int item, long offset, long[] size, long[] stride, byte[] dst) {
        int rank = size.length;
        long n = dst.length / item;
        if (n == 0) return;
        boolean contiguous = true;
        long expect = 1;
        for (int i = rank - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expect) contiguous = false;
            expect *= size[i];
        }
        if (contiguous) {
            System.arraycopy(src, Math.toIntExact(offset * item), dst, 0, dst.length);
            return;
        }
        long[] idx = new long[rank];
        for (long k = 0; k < n; k++) {
            long at = offset;
            for (int i = 0; i < rank; i++) at += idx[i] * stride[i];
            System.arraycopy(src, (int) (at * item), dst, (int) (k * item), item);
            for (int i = rank - 1; i >= 0; i--) {
                if (++idx[i] < size[i]) break;
                idx[i] = 0;
            }
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e, long max, long fileSize, String name) {
        long declared = e.getSize();
        if (declared > max || (e.getMethod() == ZipEntry.STORED && declared > fileSize)) {
            throw new UserException(name + ": archive entry " + e.getName() + " declares " + declared
                    + " bytes, more than the file can hold or a checkpoint needs");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes((int) Math.min(max, declared >= 0 ? declared : max));
            if (in.read() != -1) {
                throw new UserException(name + ": archive entry " + e.getName() + " is larger than declared");
            }
            return data;
        } catch (ZipException ex) {
            throw new UserException(name + ": archive entry " + e.getName() + " is corrupt (" + ex.getMessage() + ")");
        } catch (IOException ex) {
            throw new UserException(name + ": cannot read archive entry " + e.getName() + " (" + ex.getMessage()
                    + "; truncated file?)");
        }
    }
}
