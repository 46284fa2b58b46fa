package dev.bisenet.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.spec.OnnxMetadata;
import dev.bisenet.export.OnnxProto;
import dev.bisenet.export.OnnxTestModels;
import dev.bisenet.util.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBackendTest {

    private static final OnnxBackend.Options ONE = new OnnxBackend.Options(1);

    @TempDir
    Path dir;

    /** A one-node model, Identity from {@code in} to {@code out}, with the given declared dims. */
    private static byte[] identity(String in, String out, Object[] dims, Map<String, String> meta) {
        byte[] graph = OnnxProto.graph("id",
                List.of(OnnxProto.node("Identity", "id", List.of(in), List.of(out), List.of())), List.of(),
                List.of(OnnxProto.valueInfo(in, OnnxProto.FLOAT, dims)),
                List.of(OnnxProto.valueInfo(out, OnnxProto.FLOAT, dims)));
        return OnnxProto.model(8, "test", null, 17, graph, meta);
    }

    private static final Object[] NCHW = {"N", 3L, "H", "W"};

    private String openError(byte[] model) throws Exception {
        Path f = dir.resolve("m.onnx");
        Files.write(f, model);
        UserException e = assertThrows(UserException.class, () -> OnnxBackend.open(f, ONE));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void corruptAndMissingFilesNameTheFile() throws Exception {
        String m = openError("this is not a protobuf, let alone an ONNX model".getBytes());
        assertTrue(m.contains("not a readable ONNX model"), m);
        byte[] truncated = Arrays.copyOf(OnnxTestModels.dynamicArgmax(), 100_000);
        assertTrue(openError(truncated).contains("not a readable ONNX model"));
        Path none = dir.resolve("none.onnx");
        assertTrue(assertThrows(UserException.class, () -> OnnxBackend.open(none)).getMessage().contains("no such"));
    }

    @Test
    void modelsOfAnotherInterfaceAreRefused() throws Exception {
        String m = openError(identity("images", "logits", NCHW, Map.of()));
        assertTrue(m.contains("expected 'input'") && m.contains("'images'"), m);
        m = openError(identity("input", "output", NCHW, Map.of()));
        assertTrue(m.contains("expected 'logits'") && m.contains("'output'"), m);
        m = openError(identity("input", "logits", new Object[] {"N", "H", "W"}, Map.of()));
        assertTrue(m.contains("(N, 3, H, W)"), m);
        m = openError(identity("input", "logits", new Object[] {"N", "C", "H", "W"}, Map.of()));
        assertTrue(m.contains("fixed class dimension"), m);
        m = openError(identity("input", "logits", NCHW, Map.of(OnnxMetadata.CLASSES, "[\"road\", \"sky\"]")));
        assertTrue(m.contains("2 classes") && m.contains("3"), m);
        m = openError(identity("input", "logits", NCHW, Map.of(OnnxMetadata.PALETTE, "[[1, 2]")));
        assertTrue(m.contains("bisenet.palette") && m.contains("JSON"), m);
    }

    @Test
    void outputArrayIsReusedWhenItFits() {
        Map<String, String> meta = new OnnxMetadata(List.of("r", "g", "b"), new int[][] {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}},
                null, null, "resize").toProperties();
        try (OnnxBackend b = OnnxBackend.fromBytes(identity("input", "logits", NCHW, meta), "identity", ONE)) {
            assertEquals(3, b.numClasses());
            assertEquals("onnx", b.name());
            assertArrayEquals(new int[] {0, 0, 255}, b.metadata().palette()[2]);
            float[] x = new float[2 * 3 * 32 * 64];
            for (int i = 0; i < x.length; i++) x[i] = i * 0.5f;
            float[] out = new float[x.length];
            assertSame(out, b.logits(x, 2, 32, 64, out));
            assertArrayEquals(x, out);
            float[] fresh = b.logits(x, 2, 32, 64, new float[5]);
            assertArrayEquals(x, fresh);
            x[7] = -1;
            assertNotSame(out, b.logits(x, 2, 32, 64));
            assertEquals(-1, b.logits(x, 2, 32, 64, out)[7]); // the reused input buffer was refilled
            assertThrows(IllegalArgumentException.class, () -> b.logits(new float[3 * 32 * 48], 1, 32, 48));
            assertThrows(IllegalArgumentException.class, () -> b.logits(new float[10], 1, 32, 32));
            assertThrows(UserException.class, () -> b.labels(x, 2, 32, 64));
        }
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new OnnxBackend.Options(0));
        assertTrue(OnnxBackend.Options.defaults().intraOpThreads() >= 1);
    }
}
