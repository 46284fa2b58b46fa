package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    // 3 classes, ignore 255; pixel 6 is ignored
    static final int[] GT = {0, 0, 1, 1, 2, 2, 255, 1};
    static final int[] PRED = {0, 1, 1, 1, 0, 2, 2, 0};

    /** The matrix of GT/PRED counted by hand, rows = ground truth, columns = prediction. */
    static final long[] EXPECTED = {
        1, 1, 0,
        1, 2, 0,
        1, 0, 1,
    };

    @Test
    void countsTinyExampleAsWorkedOutByHand() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(GT, PRED, 255);
        assertArrayEquals(EXPECTED, m.counts());
        assertEquals(7, m.total());
        assertEquals(1, m.count(1, 0));
    }

    @Test
    void ignoreLabelNeverCounts() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(new int[] {255, 255, 255}, new int[] {0, 1, 2}, 255);
        assertEquals(0, m.total());
        // an ignore index inside [0, C) is honoured as well (CamVid uses 11 with 11 classes)
        ConfusionMatrix camvid = new ConfusionMatrix(11);
        camvid.add(new int[] {11, 3}, new int[] {3, 3}, 11);
        assertEquals(1, camvid.total());
        assertEquals(1, camvid.count(3, 3));
    }

    @Test
    void bytesAreReadUnsigned() {
        byte[] gt = new byte[GT.length];
        byte[] pred = new byte[PRED.length];
        for (int i = 0; i < GT.length; i++) {
            gt[i] = (byte) GT[i];
            pred[i] = (byte) PRED[i];
        }
        ConfusionMatrix a = new ConfusionMatrix(3);
        a.add(gt, PRED, 255);
        ConfusionMatrix b = new ConfusionMatrix(3);
        b.add(gt, pred, 255);
        ConfusionMatrix c = new ConfusionMatrix(3);
        c.add(GT, pred, 255);
        assertArrayEquals(EXPECTED, a.counts());
        assertArrayEquals(EXPECTED, b.counts());
        assertArrayEquals(EXPECTED, c.counts());
    }

    @Test
    void labelOutsideClassesIsAnErrorNamingTheValueAndLeavesTheMatrixAlone() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(GT, PRED, 255);
        UserException e = assertThrows(UserException.class,
                () -> m.add(new int[] {0, 1, 7, 2}, new int[] {0, 1, 2, 2}, 255));
        assertTrue(e.getMessage().contains("label value 7"), e.getMessage());
        assertArrayEquals(EXPECTED, m.counts());

        UserException b = assertThrows(UserException.class,
                () -> m.add(new byte[] {1, (byte) 200}, new int[] {1, 1}, 255));
        assertTrue(b.getMessage().contains("label value 200"), b.getMessage());
        assertArrayEquals(EXPECTED, m.counts());

        assertThrows(UserException.class, () -> m.add(new int[] {-1}, new int[] {0}, 255));
    }

    @Test
    void predictionOutsideClassesOrLengthMismatchIsABug() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        assertThrows(IllegalArgumentException.class,
                () -> m.add(new int[] {0, 1}, new int[] {0, 3}, 255));
        assertThrows(IllegalArgumentException.class,
                () -> m.add(new int[] {0, 1}, new int[] {0}, 255));
        assertEquals(0, m.total());
    }

    @Test
    void mergeOfTwoHalvesEqualsOneMatrixOverBoth() {
        ConfusionMatrix first = new ConfusionMatrix(3);
        first.add(java.util.Arrays.copyOfRange(GT, 0, 3),
                java.util.Arrays.copyOfRange(PRED, 0, 3), 255);
        ConfusionMatrix second = new ConfusionMatrix(3);
        second.add(java.util.Arrays.copyOfRange(GT, 3, GT.length),
                java.util.Arrays.copyOfRange(PRED, 3, PRED.length), 255);
        first.merge(second);
        assertArrayEquals(EXPECTED, first.counts());
        // the merged-in matrix is unchanged
        assertEquals(4, second.total());
        assertThrows(IllegalArgumentException.class, () -> first.merge(new ConfusionMatrix(4)));
    }
}
