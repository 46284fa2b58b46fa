package dev.bisenet.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PaddingTest {

    @Test
    void ceil32() {
        assertEquals(32, Padding.ceil32(1));
        assertEquals(32, Padding.ceil32(32));
        assertEquals(64, Padding.ceil32(33));
        assertEquals(384, Padding.ceil32(360));
        assertEquals(480, Padding.ceil32(480));
        assertThrows(IllegalArgumentException.class, () -> Padding.ceil32(0));
    }

    @Test
    void padThenCropIsIdentityAndPaddingIsZero() {
        int c = 2;
        int h = 35;
        int w = 40;
        float[] x = new float[c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1; // no zeros in the image, so any zero seen is padding
        }
        float[] padded = Padding.padTo32(x, c, h, w);
        assertEquals(c * 64 * 64, padded.length);
        for (int p = 0; p < c; p++) {
            for (int y = 0; y < 64; y++) {
                for (int xx = 0; xx < 64; xx++) {
                    float v = padded[(p * 64 + y) * 64 + xx];
                    if (y < h && xx < w) {
                        assertEquals(x[(p * h + y) * w + xx], v);
                    } else {
                        assertEquals(0f, v, "padding at " + p + "," + y + "," + xx);
                    }
                }
            }
        }
        assertArrayEquals(x, Padding.cropLogits(padded, c, 64, 64, h, w));
    }

    @Test
    void reusedBufferGetsItsPaddingCleared() {
        float[] dirty = new float[1 * 32 * 32];
        java.util.Arrays.fill(dirty, 7f);
        float[] out = Padding.pad(new float[] {1, 2, 3, 4}, 1, 2, 2, 32, 32, dirty);
        assertSame(dirty, out);
        assertEquals(1f, out[0]);
        assertEquals(2f, out[1]);
        assertEquals(0f, out[2]);
        assertEquals(3f, out[32]);
        assertEquals(0f, out[2 * 32]);
        assertEquals(0f, out[32 * 32 - 1]);
    }

    @Test
    void multiplesOf32PassThrough() {
        float[] x = new float[3 * 32 * 64];
        assertSame(x, Padding.padTo32(x, 3, 32, 64));
        assertSame(x, Padding.cropLogits(x, 3, 32, 64, 32, 64));
        assertThrows(IllegalArgumentException.class, () -> Padding.padTo32(x, 3, 32, 63));
    }
}
