package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Blending worked out by hand. */
class RendererTest {

    private static Frame frame(byte... rgb) {
        return new Frame(0, 1, rgb.length / 3, rgb, 0, null);
    }

    @Test
    void blendsByAlphaAndLeavesUnknownLabelsAlone() {
        Frame f = frame((byte) 100, (byte) 200, (byte) 0, (byte) 10, (byte) 20, (byte) 30);
        int[] labels = {1, 255};
        int[] palette = {0x000000, 0xFF0080};
        assertArrayEquals(f.rgb(), new Renderer(palette, 0).render(f, labels));
        assertArrayEquals(new byte[] {(byte) 255, 0, (byte) 128, 10, 20, 30},
                new Renderer(palette, 1).render(f, labels));
        // (100 + 255) / 2 = 177.5 -> 178, (200 + 0) / 2 = 100, (0 + 128) / 2 = 64
        assertArrayEquals(new byte[] {(byte) 178, 100, 64, 10, 20, 30},
                new Renderer(palette, 0.5).render(f, labels));
    }

    @Test
    void refusesBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Renderer(new int[0], 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Renderer(new int[1], 1.5));
        Renderer r = new Renderer(new int[] {0}, 0.5);
        assertThrows(IllegalArgumentException.class,
                () -> r.render(frame((byte) 1, (byte) 2, (byte) 3), new int[2]));
    }
}
