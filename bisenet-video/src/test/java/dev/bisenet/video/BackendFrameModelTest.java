package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bisenet.infer.Backend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Normalisation, padding, buffer reuse and label cropping of the backend adapter. */
class BackendFrameModelTest {

    /**
     * Logits = the three input channels, so the label of a pixel is the index of its largest
     * normalised channel; records each input for inspection.
     */
    static final class ChannelBackend implements Backend {
        final List<float[]> inputs = new ArrayList<>();
        final List<int[]> shapes = new ArrayList<>();

        @Override
        public int numClasses() {
            return 3;
        }

        @Override
        public float[] logits(float[] nchw, int n, int h, int w) {
            assertEquals(1, n);
            assertEquals(0, h % 32);
            assertEquals(0, w % 32);
            assertEquals(3 * h * w, nchw.length);
            inputs.add(nchw.clone());
            shapes.add(new int[] {h, w});
            return nchw.clone();
        }

        @Override
        public int[] labels(float[] nchw, int n, int h, int w) {
            float[] l = logits(nchw, n, h, w);
            int plane = h * w;
            int[] out = new int[plane];
            for (int i = 0; i < plane; i++) {
                int best = 0;
                for (int k = 1; k < 3; k++) if (l[k * plane + i] > l[best * plane + i]) best = k;
                out[i] = best;
            }
            return out;
        }

        @Override
        public String name() {
            return "channels";
        }

        @Override
        public void close() {
        }
    }

    private static Frame frame(long index, int h, int w, int[] colourOfRow) {
        byte[] rgb = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            int c = colourOfRow[y % colourOfRow.length];
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                rgb[p] = (byte) (c >> 16);
                rgb[p + 1] = (byte) (c >> 8);
                rgb[p + 2] = (byte) c;
            }
        }
        return new Frame(index, h, w, rgb, 0, null);
    }

    @Test
    void normalisesPadsAndCropsLabels() {
        ChannelBackend backend = new ChannelBackend();
        float[] mean = {0.5f, 0.25f, 0.75f};
        float[] std = {0.5f, 0.25f, 0.125f};
        BackendFrameModel model = new BackendFrameModel(backend, mean, std);
        // rows: red, green, blue, white; a 37x50 frame pads to 64x64
        int[] rows = {0xFF0000, 0x00FF00, 0x0000FF, 0x808080};
        Frame f = frame(0, 37, 50, rows);
        BackendFrameModel.Input in = model.prepare(f);
        assertEquals(64, in.paddedHeight());
        assertEquals(64, in.paddedWidth());
        float[] t = in.nchw();
        int plane = 64 * 64;
        // red pixel at (0, 3): R = (1 - 0.5) / 0.5, G = (0 - 0.25) / 0.25, B = (0 - 0.75) / 0.125
        assertEquals(1f, t[3], 1e-6f);
        assertEquals(-1f, t[plane + 3], 1e-6f);
        assertEquals(-6f, t[2 * plane + 3], 1e-6f);
        // grey 0x80 at row 3: (128/255 - mean) / std
        assertEquals((128 / 255f - 0.25f) / 0.25f, t[plane + 3 * 64 + 10], 1e-6f);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    if (y >= 37 || x >= 50) {
                        assertEquals(0f, t[c * plane + y * 64 + x], "padding at " + c + ","
                                + y + "," + x);
                    }
                }
            }
        }
        int[] labels = model.infer(in);
        assertEquals(37 * 50, labels.length);
        // normalised channels: red row (1, -1, -6) -> 0; green row (-1, 3, -6) -> 1;
        // blue row (-1, -1, 2) -> 2; grey row (0.0039, 1.0078, -1.9843) -> 1
        int[] perRow = {0, 1, 2, 1};
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 50; x++) {
                assertEquals(perRow[y % 4], labels[y * 50 + x], "label at " + y + "," + x);
            }
        }
    }

    @Test
    void aReusedTensorGetsItsPaddingCleared() {
        ChannelBackend backend = new ChannelBackend();
        BackendFrameModel model = new BackendFrameModel(backend, new float[3],
                new float[] {1, 1, 1});
        BackendFrameModel.Input a = model.prepare(frame(0, 64, 64, new int[] {0xFFFFFF}));
        model.infer(a);
        // same padded size (64x64), smaller picture: the old white must not show in padding
        BackendFrameModel.Input b = model.prepare(frame(1, 40, 33, new int[] {0x010101}));
        assertSame(a.nchw(), b.nchw(), "the tensor is taken from the pool");
        int[] labels = model.infer(b);
        assertEquals(40 * 33, labels.length);
        float[] seen = backend.inputs.get(1);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    float want = y < 40 && x < 33 ? 1 / 255f : 0f;
                    assertEquals(want, seen[c * 4096 + y * 64 + x], 1e-7f);
                }
            }
        }
        assertArrayEquals(new int[] {64, 64}, backend.shapes.get(1));
    }

    @Test
    void refusesBadNormalisation() {
        ChannelBackend b = new ChannelBackend();
        assertThrows(IllegalArgumentException.class,
                () -> new BackendFrameModel(b, new float[2], new float[] {1, 1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> new BackendFrameModel(b, new float[3], new float[] {1, 0, 1}));
    }
}
