package dev.bisenet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bisenet.util.UserException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every damaged variant of a checkpoint's {@code data.pkl} (cut at each offset, each byte
 * flipped) either loads or is refused with one line naming the file: what the CLI turns into
 * exit code 2. Anything else (a BufferUnderflowException, an index error) is the CLI's
 * "internal error" and fails here with the variant that caused it.
 */
class PthDamageTest {

    @TempDir
    Path dir;

    /** A tiny state dict whose pickle holds every integer opcode: K (< 256), J (PthWriter) and, in torchStyle, M. */
    private static StateDict tiny() {
        StateDict sd = new StateDict();
        sd.put("conv.weight", Tensor.ofFloats(new long[] {2, 1, 3, 3}, new float[18]));
        sd.put("head.bias", Tensor.ofFloats(new long[] {300}, new float[300])); // 300: a BININT
        return sd;
    }

    @Test
    void truncatedBinintAndBinint2AreUserErrors() throws IOException {
        // the report: a pickle cut inside J or M ended in a BufferUnderflowException
        for (int op : new int[] {'J', 'M'}) {
            for (int have = 0; have < (op == 'J' ? 4 : 2); have++) {
                byte[] pickle = new byte[3 + have];
                pickle[0] = (byte) 0x80;
                pickle[1] = 2;
                pickle[2] = (byte) op;
                Path file = withPickle(dir.resolve("cut" + (char) op + have + ".pth"), pickle, List.of());
                UserException e = assertThrows(UserException.class, () -> PthReader.readStateDict(file));
                assertTrue(e.getMessage().contains("ends in the middle of an opcode"), e.getMessage());
            }
        }
    }

    @Test
    void everyTruncationAndBitFlipOfOurPickleLoadsOrIsOneLine() throws IOException {
        Path good = dir.resolve("tiny.pth");
        PthWriter.write(tiny(), good);
        assertDamageIsHandled(good);
    }

    @Test
    void everyTruncationAndBitFlipOfATorchStylePickleLoadsOrIsOneLine() throws IOException {
        // torch writes 256..65535 as BININT2 ('M') and memoizes everything; PthWriter does neither
        Path good = withPickle(dir.resolve("torchstyle.pth"), torchStylePickle(),
                List.of(new byte[4 * 300]));
        assertEquals(300, PthReader.readStateDict(good).get("w").numel());
        assertDamageIsHandled(good);
    }

    private void assertDamageIsHandled(Path good) throws IOException {
        Map<String, byte[]> entries = entries(good);
        String pklName = entries.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
        byte[] pkl = entries.get(pklName);
        List<String> failures = new ArrayList<>();
        int loaded = 0;
        for (int cut = 0; cut < pkl.length; cut++) {
            loaded += check(entries, pklName, Arrays.copyOf(pkl, cut), "cut at " + cut, failures);
        }
        for (int i = 0; i < pkl.length; i++) {
            byte[] flipped = pkl.clone();
            flipped[i] ^= (byte) 0xff;
            loaded += check(entries, pklName, flipped, "byte " + i + " flipped", failures);
        }
        assertTrue(failures.isEmpty(), failures.size() + " variants crashed, e.g. " + failures.subList(0, Math.min(5, failures.size())));
        // the last cut keeps all but STOP: nothing truncated loads, but some flips (in a tensor value's
        // zero padding, in a key's letter) still make a valid state_dict
        assertTrue(loaded < 2 * pkl.length, "some variants must be refused");
    }

    /** 1 when the variant loads, 0 when it is refused properly; a crash is recorded in {@code failures}. */
    private int check(Map<String, byte[]> entries, String pklName, byte[] pkl, String what, List<String> failures)
            throws IOException {
        Path file = dir.resolve("damaged.pth");
        Map<String, byte[]> changed = new LinkedHashMap<>(entries);
        changed.put(pklName, pkl);
        write(file, changed);
        try {
            PthReader.readStateDict(file);
            return 1;
        } catch (UserException e) {
            String m = e.getMessage();
            if (m.contains("\n") || !m.startsWith("damaged.pth: ")) {
                failures.add(what + ": message not one line naming the file: " + m);
            }
        } catch (RuntimeException | Error e) {
            failures.add(what + ": " + e);
        }
        return 0;
    }

    private static Map<String, byte[]> entries(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(file.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                try (InputStream in = z.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    private static void write(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.setLevel(0);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
            }
        }
    }

    private static Path withPickle(Path file, byte[] pickle, List<byte[]> storages) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        for (int i = 0; i < storages.size(); i++) entries.put("archive/data/" + i, storages.get(i));
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        write(file, entries);
        return file;
    }

    /** {'w': tensor of 300 floats} the way torch pickles it: BINPUT after each object, BININT2 for 300. */
    private static byte[] torchStylePickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        op(p, 0x80, 2);
        global(p, "collections", "OrderedDict");
        op(p, 'q', 0, ')', 'R', 'q', 1, '(');
        str(p, "w");
        op(p, 'q', 2);
        global(p, "torch._utils", "_rebuild_tensor_v2");
        op(p, 'q', 3, '(', '(');
        str(p, "storage");
        global(p, "torch", "FloatStorage");
        str(p, "0");
        str(p, "cpu");
        op(p, 'M', 300 & 0xff, 300 >> 8, 't', 'q', 4, 'Q', 'K', 0);
        op(p, 'M', 300 & 0xff, 300 >> 8, 0x85, 'q', 5); // size (300,)
        op(p, 'K', 1, 0x85, 'q', 6, 0x89); // stride (1,), requires_grad False
        op(p, 'h', 0, ')', 'R', 'q', 7, 't', 'q', 8, 'R', 'q', 9, 'u', '.');
        byte[] b = p.toByteArray();
        assertFalse(b.length == 0);
        return b;
    }

    private static void op(ByteArrayOutputStream p, int... bytes) {
        for (int b : bytes) p.write(b);
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
        p.write('c');
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void str(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(p, 'X', b.length, 0, 0, 0);
        p.writeBytes(b);
    }
}
