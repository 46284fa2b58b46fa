package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * Expected values come from PyTorch 1.13:
 * {@code F.interpolate(x, size=..., mode='bilinear', align_corners=False)}.
 */
class BilinearTest {

    @Test
    void upsample2x2To4x4MatchesPyTorch() {
        float[] out = Bilinear.resize(new float[] {1, 2, 3, 4}, 1, 2, 2, 4, 4, null);
        assertArrayEquals(new float[] {
            1.00f, 1.25f, 1.75f, 2.00f,
            1.50f, 1.75f, 2.25f, 2.50f,
            2.50f, 2.75f, 3.25f, 3.50f,
            3.00f, 3.25f, 3.75f, 4.00f,
        }, out, 1e-6f);
    }

    // x[i] = 0.1 * i^2 for i in 0..14, shape (1, 1, 3, 5)
    static float[] squares() {
        float[] x = new float[15];
        for (int i = 0; i < 15; i++) {
            x[i] = 0.1f * i * i;
        }
        return x;
    }

    @Test
    void downsampleWithNonIntegerRatioMatchesPyTorch() {
        float[] out = Bilinear.resize(squares(), 1, 3, 5, 2, 3, null);
        assertArrayEquals(new float[] {
            0.7416666746f, 1.5249999762f, 2.9083333015f,
            8.7416667938f, 12.0250005722f, 15.9083328247f,
        }, out, 2e-5f);
    }

    @Test
    void upsampleWithNonIntegerRatioMatchesPyTorch() {
        float[] out = Bilinear.resize(squares(), 1, 3, 5, 5, 7, null);
        assertArrayEquals(new float[] {
            0.0f, 0.0571428612f, 0.1857143044f, 0.4000000358f, 0.7571429014f, 1.2000000477f,
            1.6000000238f,
            1.0000001192f, 1.2857143879f, 1.7000002861f, 2.2000002861f, 2.8428573609f,
            3.5714290142f, 4.2000002861f,
            2.5000004768f, 3.1285719872f, 3.9714291096f, 4.9000005722f, 5.9714293480f,
            7.1285724640f, 8.1000013351f,
            7.0000004768f, 7.9714293480f, 9.2428579330f, 10.6000013351f, 12.1000003815f,
            13.6857156754f, 15.0000019073f,
            10.0f, 11.2000007629f, 12.7571439743f, 14.4000005722f, 16.1857147217f,
            18.0571422577f, 19.6000003815f,
        }, out, 2e-5f);
    }

    @Test
    void planesAreIndependentAndIdentityIsExact() {
        float[] two = new float[30];
        float[] sq = squares();
        for (int i = 0; i < 15; i++) {
            two[i] = sq[i];
            two[15 + i] = -sq[i];
        }
        float[] out = Bilinear.resize(two, 2, 3, 5, 2, 3, null);
        for (int i = 0; i < 6; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(out[i], -out[6 + i], 0f);
        }
        assertArrayEquals(two, Bilinear.resize(two, 2, 3, 5, 3, 5, null), 0f);
    }

    @Test
    void mirroredReadEqualsResizingTheFlippedImage() {
        float[] x = squares();
        float[] flipped = ScoreOps.flip(x, 1, 3, 5, null);
        float[] expected = Bilinear.resize(flipped, 1, 3, 5, 5, 7, null);
        // read the same data from inside a padded (1, 4, 8) array, mirrored
        float[] padded = dev.bisenet.image.Padding.pad(x, 1, 3, 5, 4, 8, null);
        Bilinear rows = new Bilinear(padded, 0, 1, 3, 5, 8, 32, 5, 7, true);
        float[] out = new float[35];
        for (int y = 0; y < 5; y++) {
            rows.row(y, out, y * 7, 35);
        }
        assertArrayEquals(expected, out, 0f);
    }
}
