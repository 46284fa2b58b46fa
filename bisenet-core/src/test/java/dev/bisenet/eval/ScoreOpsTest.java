package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScoreOpsTest {

    @Test
    void expMatchesMathExpToAboutOneUlp() {
        int n = 2_000_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -87f * i / (n - 1);
        }
        float[] e = x.clone();
        ScoreOps.expNonPositive(e, 0, n, new float[n]);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(e[i] - exact) / exact);
        }
        assertTrue(worst < 3e-7, "worst relative error " + worst);
        assertEquals(1f, e[0]);

        float[] edge = {7f, 0f, -1000f, Float.NEGATIVE_INFINITY, Float.NaN, 7f};
        ScoreOps.expNonPositive(edge, 1, 4, new float[4]);
        assertEquals(7f, edge[0]); // outside the range: untouched
        assertEquals(1f, edge[1]);
        assertTrue(edge[2] > 0 && edge[2] < 2e-38);
        assertTrue(edge[3] > 0 && edge[3] < 2e-38);
        assertTrue(Float.isNaN(edge[4]));
        assertEquals(7f, edge[5]);
    }

    @Test
    void softmaxAddAccumulatesProbabilitiesWorkedOutByHand() {
        // two classes, one row of 2 pixels: logits (0, ln 3) and (5, 5)
        float[] logits = {0f, 5f, (float) Math.log(3), 5f};
        float[] acc = {1f, 0f, 0f, 0f};
        ScoreOps.softmaxAdd(logits, 0, 2, 2, 2, acc, 0, 2, new float[2], new float[2],
                new float[2]);
        assertArrayEquals(new float[] {1.25f, 0.5f, 0.75f, 0.5f}, acc, 1e-6f);
    }

    @Test
    void argmaxTakesTheFirstOfTiedMaxima() {
        // 3 classes, 1 x 3 pixels: class 1 wins, tie between 0 and 2, class 2 wins
        float[] scores = {
            1, 0, 0,
            2, 0, 0,
            0, 0, 3,
        };
        assertArrayEquals(new int[] {1, 0, 2}, ScoreOps.argmax(scores, 3, 1, 3));
    }

    @Test
    void windowIsCopiedTopLeftIntoZeros() {
        float[] src = new float[2 * 3 * 4];
        for (int i = 0; i < src.length; i++) {
            src[i] = i + 1;
        }
        float[] dirty = new float[2 * 2 * 3];
        java.util.Arrays.fill(dirty, -1f);
        float[] out = ScoreOps.window(src, 2, 3, 4, 1, 2, 2, 2, 2, 3, dirty);
        assertArrayEquals(new float[] {7, 8, 0, 11, 12, 0, 19, 20, 0, 23, 24, 0}, out);
    }
}
