package dev.bisenet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .pth reader on files torch wrote, on our own files, and on hostile ones. */
class PthReaderTest {

    @TempDir
    Path dir;

    /** The fixture formula: v[i] = (i % 7) - 3 + i / 100 (see make_fixtures.py). */
    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((i % 7) - 3 + i / 100.0);
        return v;
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(PthReaderTest.class.getResource("/checkpoint/" + name).toURI());
    }

    @Test
    void readsWhatTorchWrote() throws Exception {
        StateDict sd = PthReader.readStateDict(fixture("plain.pth"));
        assertEquals(List.of("conv.weight", "bn.weight", "bn.num_batches_tracked", "half", "transposed", "row2", "base"),
                List.copyOf(sd.keys()));
        assertArrayEquals(new long[] {2, 3, 3, 3}, sd.get("conv.weight").shape());
        assertArrayEquals(ramp(54), sd.get("conv.weight").toFloats());
        assertArrayEquals(ramp(5), sd.get("bn.weight").toFloats());
        assertEquals(Tensor.DType.INT64, sd.get("bn.num_batches_tracked").dtype());
        assertEquals(0, sd.get("bn.num_batches_tracked").rank());
        assertEquals(123L, sd.get("bn.num_batches_tracked").toLongs()[0]);
        assertEquals(Tensor.DType.FLOAT16, sd.get("half").dtype());
        float[] half = sd.get("half").toFloats();
        float[] exact = ramp(6);
        for (int i = 0; i < 6; i++) assertEquals(exact[i], half[i], 2e-3, "half " + i);
        float[] base = ramp(24); // (4, 6)
        float[] t = sd.get("transposed").toFloats(); // (6, 4) = base.t()
        assertArrayEquals(new long[] {6, 4}, sd.get("transposed").shape());
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 4; c++) assertEquals(base[c * 6 + r], t[r * 4 + c]);
        }
        float[] row2 = new float[6];
        System.arraycopy(base, 12, row2, 0, 6);
        assertArrayEquals(row2, sd.get("row2").toFloats());
        assertArrayEquals(base, sd.get("base").toFloats());
    }

    @Test
    void prefixNestingAndWrappers() throws Exception {
        StateDict prefixed = PthReader.readStateDict(fixture("module_prefix.pth"));
        assertTrue(prefixed.keys().stream().allMatch(k -> k.startsWith("module.")));
        assertEquals(PthReader.readStateDict(fixture("plain.pth")).keys(), prefixed.withoutModulePrefix().keys());

        StateDict nested = PthReader.readStateDict(fixture("nested.pth"));
        assertEquals(List.of("detail.S1.0.conv.weight", "segment.S5_5.bn.running_var"), List.copyOf(nested.keys()));

        StateDict wrapped = PthReader.readStateDict(fixture("wrapped.pth"));
        assertEquals(List.of("bn.weight"), List.copyOf(wrapped.keys()));
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        StateDict sd = FormulaWeights.stateDict(11, true);
        Path file = dir.resolve("m.pth");
        PthWriter.write(sd, file);
        StateDict back = PthReader.readStateDict(file);
        assertEquals(List.copyOf(sd.keys()), List.copyOf(back.keys()));
        for (String k : sd.keys()) {
            assertEquals(sd.get(k).dtype(), back.get(k).dtype(), k);
            assertArrayEquals(sd.get(k).shape(), back.get(k).shape(), k);
            assertArrayEquals(sd.get(k).rawBytes(), back.get(k).rawBytes(), k);
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void storageDataIsAlignedTo64Bytes() throws IOException {
        Path file = dir.resolve("a.pth");
        PthWriter.write(FormulaWeights.stateDict(3, false), file);
        byte[] all = Files.readAllBytes(file);
        try (var zip = new java.util.zip.ZipFile(file.toFile())) {
            var e = zip.getEntry("a/data/0");
            byte[] first = zip.getInputStream(e).readNBytes(16);
            int at = indexOf(all, first);
            assertTrue(at > 0 && at % 64 == 0, "data starts at " + at);
        }
    }

    // ---- hostile files -------------------------------------------------------------------

    @Test
    void refusesAGlobalThatWouldRunCode() throws IOException {
        Path marker = dir.resolve("pwned");
        for (String[] global : new String[][] {{"os", "system"}, {"builtins", "eval"}, {"__builtin__", "getattr"},
                {"subprocess", "Popen"}, {"torch", "load"}}) {
            Pickle p = new Pickle().proto().global(global[0], global[1]).str("touch " + marker).op(0x85).op('R').op('.');
            Path file = zip("evil.pth", p.bytes());
            UserException e = assertThrows(UserException.class, () -> PthReader.readStateDict(file));
            assertTrue(e.getMessage().contains("refused global '" + global[0] + "." + global[1] + "'"), e.getMessage());
            assertTrue(e.getMessage().startsWith("evil.pth"), e.getMessage());
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void refusesForgedSizes() throws IOException {
        // numel of 10^12 floats against a 16-byte entry
        assertRefused(tensorPickle("FloatStorage", 1_000_000_000_000L, 0, 4), new byte[16], "storage");
        // numel agrees with nothing in the archive
        assertRefused(tensorPickle("FloatStorage", 8, 0, 4), new byte[16], "should hold 32 bytes");
        // a view past the end of its storage
        assertRefused(tensorPickle("FloatStorage", 4, 3, 4), new byte[16], "reaches past the end");
        // a string longer than the file
        assertRefused(new Pickle().proto().op('X').le32(0x7fffffff).op('.').bytes(), null, "runs past the end");
        // a memo index never stored
        assertRefused(new Pickle().proto().op('h').op(5).op('.').bytes(), null, "memo index 5");
        // marks nested without end
        Pickle deep = new Pickle().proto();
        for (int i = 0; i < 70_000; i++) deep.op('(');
        assertRefused(deep.bytes(), null, "MARK");
        // a stride-0 view of 4 bytes that would expand to 4 GB
        assertRefused(tensorPickle("FloatStorage", 1, 0, 1L << 30, 0), new byte[4], "more elements than its storage");
        // sizes and strides whose product overflows a long
        assertRefused(tensorPickle("FloatStorage", 4, 0, 1L << 62, 1L << 62), new byte[16], "beyond any storage");
        // an opcode a state_dict never uses (INST)
        assertRefused(new Pickle().proto().op('i').op('.').bytes(), null, "opcode 0x69");
    }

    @Test
    void refusesTruncatedAndGarbageFiles() throws Exception {
        byte[] good = Files.readAllBytes(fixture("plain.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length / 2));
        UserException e = assertThrows(UserException.class, () -> PthReader.readStateDict(cut));
        assertTrue(e.getMessage().startsWith("cut.pth: "), e.getMessage());

        Path junk = dir.resolve("junk.pth");
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        Files.write(junk, noise);
        e = assertThrows(UserException.class, () -> PthReader.readStateDict(junk));
        assertTrue(e.getMessage().startsWith("junk.pth: not a PyTorch checkpoint"), e.getMessage());

        Path empty = zip("nopkl.pth", null);
        e = assertThrows(UserException.class, () -> PthReader.readStateDict(empty));
        assertTrue(e.getMessage().contains("no <root>/data.pkl"), e.getMessage());

        e = assertThrows(UserException.class, () -> PthReader.readStateDict(dir.resolve("missing.pth")));
        assertTrue(e.getMessage().contains("no such checkpoint file"), e.getMessage());
    }

    private void assertRefused(byte[] pickle, byte[] storage, String expected) throws IOException {
        Path file = storage == null ? zip("bad.pth", pickle) : zip("bad.pth", pickle, storage);
        UserException e = assertThrows(UserException.class, () -> PthReader.readStateDict(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** {'w': _rebuild_tensor_v2(('storage', torch.<type>, '0', 'cpu', numel), offset, (size,), (1,), False, OrderedDict())}. */
    private static byte[] tensorPickle(String type, long numel, int offset, int size) {
        return tensorPickle(type, numel, offset, size, 1);
    }

    /** As above with a stride of choice for the one dimension. */
    private static byte[] tensorPickle(String type, long numel, int offset, long size, long stride) {
        Pickle p = new Pickle().proto().op('}').op('(').str("w");
        p.global("torch._utils", "_rebuild_tensor_v2").op('(');
        p.op('(').str("storage").global("torch", type).str("0").str("cpu").int64(numel).op('t').op('Q');
        p.int64(offset).op('(').int64(size).op('t').op('(').int64(stride).op('t').op(0x89);
        p.global("collections", "OrderedDict").op(')').op('R');
        p.op('t').op('R').op('u').op('.');
        return p.bytes();
    }

    private Path zip(String name, byte[] pickle, byte[]... storages) throws IOException {
        Path file = dir.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            if (pickle != null) {
                z.putNextEntry(new ZipEntry("archive/data.pkl"));
                z.write(pickle);
            }
            for (int i = 0; i < storages.length; i++) {
                z.putNextEntry(new ZipEntry("archive/data/" + i));
                z.write(storages[i]);
            }
            z.putNextEntry(new ZipEntry("archive/version"));
            z.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** Raw pickle bytes for hostile test files. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int b) {
            out.write(b);
            return this;
        }

        Pickle proto() {
            return op(0x80).op(2);
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').le32(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle int64(long v) {
            op(0x8a).op(8);
            for (int k = 0; k < 8; k++) out.write((int) (v >>> (8 * k)));
            return this;
        }

        Pickle le32(int v) {
            for (int k = 0; k < 4; k++) out.write(v >>> (8 * k));
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
