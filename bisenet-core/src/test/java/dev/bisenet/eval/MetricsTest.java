package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every expected value below is worked out by hand from the matrices in the comments. */
class MetricsTest {

    static final double EPS = 1e-12;

    static ConfusionMatrix tiny(int classes) {
        ConfusionMatrix m = new ConfusionMatrix(classes);
        m.add(ConfusionMatrixTest.GT, ConfusionMatrixTest.PRED, 255);
        return m;
    }

    @Test
    void tinyExample() {
        // matrix [[1,1,0],[1,2,0],[1,0,1]]: TP (1,2,1), gt sums (2,3,2), pred sums (3,3,1)
        Metrics m = Metrics.of(tiny(3));
        assertEquals(1.0 / 4, m.iou(0), EPS);   // 1 / (1 + 2 + 1)
        assertEquals(2.0 / 4, m.iou(1), EPS);   // 2 / (2 + 1 + 1)
        assertEquals(1.0 / 2, m.iou(2), EPS);   // 1 / (1 + 0 + 1)
        assertEquals(5.0 / 12, m.meanIoU(), EPS);
        assertEquals(3, m.classesInMeanIoU());
        assertEquals(4.0 / 7, m.pixelAccuracy(), EPS);
        assertEquals(1.0 / 2, m.classAccuracy(0), EPS);
        assertEquals(2.0 / 3, m.classAccuracy(1), EPS);
        assertEquals(5.0 / 9, m.meanAccuracy(), EPS); // (1/2 + 2/3 + 1/2) / 3
        // (2/7)(1/4) + (3/7)(1/2) + (2/7)(1/2) = 3/7
        assertEquals(3.0 / 7, m.frequencyWeightedIoU(), EPS);
        assertEquals(7, m.totalPixels());
        assertEquals(3, m.gtPixels(1));
    }

    @Test
    void classAbsentFromGroundTruthAndPredictionIsNaNAndLeftOutOfMeans() {
        Metrics m = Metrics.of(tiny(4)); // class 3 never occurs
        assertTrue(Double.isNaN(m.iou(3)));
        assertTrue(Double.isNaN(m.classAccuracy(3)));
        assertEquals(5.0 / 12, m.meanIoU(), EPS);
        assertEquals(3, m.classesInMeanIoU());
        assertEquals(5.0 / 9, m.meanAccuracy(), EPS);
        assertEquals(3.0 / 7, m.frequencyWeightedIoU(), EPS);
    }

    @Test
    void classOnlyPredictedHasIoUZeroAndCountsInMeanIoUButNotInMeanAccuracy() {
        // gt all 0, pred (0,0,1,1): [[2,2,0],[0,0,0],[0,0,0]]
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.add(new int[] {0, 0, 0, 0}, new int[] {0, 0, 1, 1}, 255);
        Metrics m = Metrics.of(cm);
        assertEquals(0.5, m.iou(0), EPS);         // 2 / (2 + 0 + 2)
        assertEquals(0.0, m.iou(1), EPS);         // 0 / (0 + 2 + 0)
        assertTrue(Double.isNaN(m.iou(2)));
        assertEquals(0.25, m.meanIoU(), EPS);     // (0.5 + 0) / 2
        assertTrue(Double.isNaN(m.classAccuracy(1)));
        assertEquals(0.5, m.meanAccuracy(), EPS); // class 0 only
        assertEquals(0.5, m.frequencyWeightedIoU(), EPS);
        assertEquals(0.5, m.pixelAccuracy(), EPS);
    }

    @Test
    void allWrongGivesZeroAndAllRightGivesOne() {
        ConfusionMatrix wrong = new ConfusionMatrix(2);
        wrong.add(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}, 255);
        Metrics w = Metrics.of(wrong);
        assertEquals(0.0, w.iou(0), EPS);
        assertEquals(0.0, w.iou(1), EPS);
        assertEquals(0.0, w.meanIoU(), EPS);
        assertEquals(0.0, w.pixelAccuracy(), EPS);
        assertEquals(0.0, w.meanAccuracy(), EPS);
        assertEquals(0.0, w.frequencyWeightedIoU(), EPS);

        ConfusionMatrix right = new ConfusionMatrix(2);
        right.add(new int[] {0, 1, 1, 1}, new int[] {0, 1, 1, 1}, 255);
        Metrics r = Metrics.of(right);
        assertEquals(1.0, r.iou(0), EPS);
        assertEquals(1.0, r.iou(1), EPS);
        assertEquals(1.0, r.meanIoU(), EPS);
        assertEquals(1.0, r.pixelAccuracy(), EPS);
        assertEquals(1.0, r.meanAccuracy(), EPS);
        assertEquals(1.0, r.frequencyWeightedIoU(), EPS);
    }

    @Test
    void emptyMatrixIsUndefinedEverywhere() {
        Metrics m = Metrics.of(new ConfusionMatrix(2));
        assertTrue(Double.isNaN(m.iou(0)));
        assertTrue(Double.isNaN(m.meanIoU()));
        assertTrue(Double.isNaN(m.pixelAccuracy()));
        assertTrue(Double.isNaN(m.meanAccuracy()));
        assertTrue(Double.isNaN(m.frequencyWeightedIoU()));
        assertEquals(0, m.classesInMeanIoU());
    }

    @Test
    void metricsAreASnapshot() {
        ConfusionMatrix cm = tiny(3);
        Metrics m = Metrics.of(cm);
        cm.add(new int[] {2}, new int[] {2}, 255);
        assertEquals(1.0 / 2, m.iou(2), EPS);
        double[] ious = m.ious();
        ious[0] = 99;
        assertEquals(1.0 / 4, m.iou(0), EPS);
    }
}
