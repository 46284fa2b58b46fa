package dev.bisenet.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void floatsRoundTrip() throws IOException {
        float[] data = {1.5f, -2f, Float.MIN_VALUE, 3e38f, 0f, -0.25f};
        Path f = dir.resolve("a.npy");
        Npy.writeFloats(f, data, 2, 3);
        Npy.FloatArray back = Npy.readFloats(f);
        assertArrayEquals(new long[] {2, 3}, back.shape());
        assertArrayEquals(data, back.data());
        // the data starts on a 64-byte boundary, as NumPy writes it
        assertEquals(0, (Files.size(f) - 24) % 64);
    }

    @Test
    void intsRoundTripIncludingScalarsAndVectors() throws IOException {
        Path f = dir.resolve("b.npy");
        Npy.writeInts(f, new int[] {7, -1, 255}, 3);
        Npy.IntArray back = Npy.readInts(f);
        assertArrayEquals(new long[] {3}, back.shape());
        assertArrayEquals(new int[] {7, -1, 255}, back.data());
        Npy.writeInts(f, new int[] {42});
        assertArrayEquals(new long[0], Npy.readInts(f).shape());
        assertArrayEquals(new int[] {42}, Npy.readInts(f).data());
        assertTrue(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("'shape': ()"));
    }

    @Test
    void readsHandWrittenHeadersOfOtherTypes() throws IOException {
        Path f = dir.resolve("c.npy");
        byte[] header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = new byte[10 + header.length + 4];
        byte[] pre = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length, 0};
        System.arraycopy(pre, 0, file, 0, 10);
        System.arraycopy(header, 0, file, 10, header.length);
        file[file.length - 4] = (byte) 200;
        file[file.length - 1] = 3;
        Files.write(f, file);
        assertArrayEquals(new int[] {200, 0, 0, 3}, Npy.readInts(f).data());
        UserException e = assertThrows(UserException.class, () -> Npy.readFloats(f));
        assertTrue(e.getMessage().contains("|u1") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void badFilesGiveClearErrors() throws IOException {
        Path f = dir.resolve("bad.npy");
        Files.writeString(f, "hello, not numpy");
        assertTrue(assertThrows(UserException.class, () -> Npy.readFloats(f)).getMessage().contains("not a .npy file"));

        Npy.writeFloats(f, new float[12], 3, 4);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 4));
        String m = assertThrows(UserException.class, () -> Npy.readFloats(f)).getMessage();
        assertTrue(m.contains("needs 48 data bytes, the file has 44"), m);

        String fortran = new String(all, StandardCharsets.ISO_8859_1).replace("False", "True ");
        Files.write(f, fortran.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(UserException.class, () -> Npy.readFloats(f)).getMessage().contains("Fortran"));

        // a header length beyond the file must not be trusted for an allocation
        all[8] = (byte) 0xff;
        all[9] = (byte) 0xff;
        Files.write(f, all);
        assertTrue(assertThrows(UserException.class, () -> Npy.readFloats(f)).getMessage().contains("corrupt"));

        assertTrue(assertThrows(UserException.class, () -> Npy.readFloats(dir.resolve("none.npy")))
                .getMessage().contains("no such file"));
    }

    @Test
    void numpyReadsWhatWeWrite() throws Exception {
        Path f = dir.resolve("np.npy");
        Npy.writeFloats(f, new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Optional<String> python = TestPython.withModule("numpy");
        Assumptions.assumeTrue(python.isPresent(), "skipped: no python3 with numpy to cross-check with");
        TestPython.Result r = TestPython.run(python.get(), "import numpy as np, sys; a = np.load(sys.argv[1]);"
                + " assert a.dtype == np.float32 and a.shape == (1, 2, 3) and a[0, 1, 2] == 6, a", f.toString());
        assertEquals(0, r.status(), r.output());
    }
}
