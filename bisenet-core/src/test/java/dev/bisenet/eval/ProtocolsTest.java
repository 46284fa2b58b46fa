package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolsTest {

    // not multiples of 32 on purpose
    static final int H = 70;
    static final int W = 90;

    static Prediction run(Mode mode, double scale, FakeBackends.Recording backend) {
        EvalOptions options = EvalOptions.of(mode, 255).withScale(scale);
        return new Protocols(backend, options).predict(FakeBackends.blockImage(H, W), H, W);
    }

    @Test
    void singleScalePadsCropsAndPredictsEveryPixel() {
        FakeBackends.Linear backend = new FakeBackends.Linear();
        Prediction p = run(Mode.SS, 1.0, backend);
        assertArrayEquals(FakeBackends.blockLabels(H, W), p.labels());
        assertEquals(Prediction.Kind.LOGITS, p.kind());
        assertEquals(1, backend.calls.size());
        assertArrayEquals(new int[] {96, 96}, backend.calls.get(0));
        // logits pass through unchanged: 4 x the one-hot colour
        assertEquals(4f, p.scores()[0]);              // class 0 at (0, 0)
        assertEquals(0f, p.scores()[H * W]);          // class 1 at (0, 0)
        assertEquals(4f, p.scores()[2 * H * W + H * W - 1]); // class 2 at the last pixel
    }

    @Test
    void multiScaleFlipAgreesWithSingleScaleAwayFromBoundaries() {
        FakeBackends.Linear backend = new FakeBackends.Linear();
        Prediction ss = run(Mode.SS, 1.0, new FakeBackends.Linear());
        Prediction msf = run(Mode.MSF, 1.0, backend);
        assertEquals(Prediction.Kind.PROBABILITIES, msf.kind());
        int compared = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = y * W + x;
                int d = FakeBackends.boundaryDistance(y, x, H, W);
                if (d >= 4) {
                    // a mirrored pass not flipped back, or a crop taken at the wrong place,
                    // moves the blocks by far more than 4 pixels
                    assertEquals(ss.labels()[i], msf.labels()[i], "pixel " + y + "," + x);
                    compared++;
                } else {
                    int l = msf.labels()[i];
                    assertTrue(l == 0 || l == 1 || l == 2);
                }
            }
        }
        assertTrue(compared > H * W / 2);
        // two passes (plain and mirrored) per scale, each padded to multiples of 32
        List<int[]> expected = new ArrayList<>();
        for (double s : Protocols.MSF_SCALES) {
            int[] size = {ceil32(Math.round(H * s)), ceil32(Math.round(W * s))};
            expected.add(size);
            expected.add(size);
        }
        assertEquals(12, backend.calls.size());
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(expected.get(i), backend.calls.get(i), "call " + i);
        }
        assertProbabilities(msf);
    }

    @Test
    void multiScaleFlipOnAConstantImageEqualsSoftmaxOfTheLogitsEverywhere() {
        float[] img = new float[3 * H * W];
        java.util.Arrays.fill(img, 0, H * W, 0.5f);           // r
        java.util.Arrays.fill(img, H * W, 2 * H * W, 0.25f);  // g, b stays 0
        Prediction msf = new Protocols(new FakeBackends.Linear(), EvalOptions.of(Mode.MSF, 255))
                .predict(img, H, W);
        double e0 = Math.exp(2.0);
        double e1 = Math.exp(1.0);
        double e2 = Math.exp(0.0);
        double sum = e0 + e1 + e2;
        for (int i = 0; i < H * W; i++) {
            assertEquals(e0 / sum, msf.scores()[i], 1e-5);
            assertEquals(e1 / sum, msf.scores()[H * W + i], 1e-5);
            assertEquals(e2 / sum, msf.scores()[2 * H * W + i], 1e-5);
            assertEquals(0, msf.labels()[i]);
        }
    }

    @Test
    void scaleOptionRunsAtTheScaledSizeAndResizesBack() {
        FakeBackends.Linear backend = new FakeBackends.Linear();
        Prediction p = run(Mode.SS, 0.5, backend);
        assertArrayEquals(new int[] {64, 64}, backend.calls.get(0)); // 35x45 padded
        int[] gt = FakeBackends.blockLabels(H, W);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (FakeBackends.boundaryDistance(y, x, H, W) >= 4) {
                    assertEquals(gt[y * W + x], p.labels()[y * W + x], "pixel " + y + "," + x);
                }
            }
        }
        assertEquals(H * W, p.labels().length);
    }

    @Test
    void slidingCropsOnImageSmallerThanCropRunOncePadded() {
        int h = 40;
        int w = 50;
        FakeBackends.Coordinates backend = new FakeBackends.Coordinates(4, h, w);
        Prediction p = ssc(backend, h, w, 64, 96);
        assertEquals(1, backend.calls.size());
        assertArrayEquals(new int[] {64, 96}, backend.calls.get(0));
        assertCoverage(backend, new int[] {0}, 64, new int[] {0}, 96, h, w);
        assertSoftmaxOfCoordinates(p, 4, h, w);
    }

    @Test
    void slidingCropsOnImageLargerThanCropCoverEveryPixel() {
        int h = 100;
        int w = 130;
        FakeBackends.Coordinates backend = new FakeBackends.Coordinates(3, h, w);
        Prediction p = ssc(backend, h, w, 64, 64);
        // stride ceil(2/3 * 64) = 43; rows 0, 36 (last one against the border); columns 0,
        // 43, 66
        assertEquals(6, backend.calls.size());
        assertCoverage(backend, new int[] {0, 36}, 64, new int[] {0, 43, 66}, 64, h, w);
        assertSoftmaxOfCoordinates(p, 3, h, w);
    }

    @Test
    void slidingCropsOfANonMultipleOf32CropPadEachWindow() {
        int h = 40;
        int w = 130;
        FakeBackends.Coordinates backend = new FakeBackends.Coordinates(3, h, w);
        Prediction p = ssc(backend, h, w, 50, 70);
        // height padded to the crop (one row of windows), stride 47 across: 0, 47, 60
        assertEquals(3, backend.calls.size());
        for (int[] call : backend.calls) {
            assertArrayEquals(new int[] {64, 96}, call);
        }
        assertCoverage(backend, new int[] {0}, 50, new int[] {0, 47, 60}, 70, h, w);
        assertSoftmaxOfCoordinates(p, 3, h, w);
    }

    @Test
    void slidingCropsWithAScaleResizeBack() {
        FakeBackends.Linear backend = new FakeBackends.Linear();
        EvalOptions options = EvalOptions.of(Mode.SSC, 255).withCrop(32, 32).withScale(0.5);
        Prediction p = new Protocols(backend, options).predict(FakeBackends.blockImage(H, W), H, W);
        int[] gt = FakeBackends.blockLabels(H, W);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (FakeBackends.boundaryDistance(y, x, H, W) >= 4) {
                    assertEquals(gt[y * W + x], p.labels()[y * W + x], "pixel " + y + "," + x);
                }
            }
        }
        // the 35x45 image: rows 0, 3; columns 0, 13
        assertEquals(4, backend.calls.size());
        assertProbabilities(p);
    }

    @Test
    void windowStarts() {
        assertArrayEquals(new int[] {0}, Protocols.windowStarts(64, 64));
        assertArrayEquals(new int[] {0, 36}, Protocols.windowStarts(100, 64));
        assertArrayEquals(new int[] {0, 43, 66}, Protocols.windowStarts(130, 64));
        assertArrayEquals(new int[] {0, 683, 1024}, Protocols.windowStarts(2048, 1024));
        assertArrayEquals(new int[] {0, 342, 512}, Protocols.windowStarts(1024, 512));
    }

    @Test
    void sscWithoutCropIsAUserError() {
        assertThrows(UserException.class, () -> new Protocols(new FakeBackends.Linear(),
                EvalOptions.of(Mode.SSC, 255)));
        assertThrows(UserException.class, () -> EvalOptions.of(Mode.SS, 255).withScale(0));
        assertThrows(UserException.class, () -> Mode.parse("multi"));
        assertEquals(Mode.MSF, Mode.parse("MSF"));
    }

    @Test
    void wrongBackendOutputIsReported() {
        FakeBackends.Linear shortOutput = new FakeBackends.Linear() {
            @Override
            public float[] logits(float[] nchw, int n, int h, int w) {
                return new float[5];
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(Mode.SS, 1.0, shortOutput));
        assertTrue(e.getMessage().contains("returned 5 values"), e.getMessage());
    }

    static Prediction ssc(FakeBackends.Coordinates backend, int h, int w, int cropH, int cropW) {
        EvalOptions options = EvalOptions.of(Mode.SSC, 255).withCrop(cropH, cropW);
        return new Protocols(backend, options)
                .predict(FakeBackends.Coordinates.image(h, w), h, w);
    }

    // each pixel is seen by exactly the windows whose row span and column span contain it
    static void assertCoverage(FakeBackends.Coordinates backend, int[] tops, int cropH,
            int[] lefts, int cropW, int h, int w) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int expected = 0;
                for (int t : tops) {
                    for (int l : lefts) {
                        if (y >= t && y < t + cropH && x >= l && x < l + cropW) {
                            expected++;
                        }
                    }
                }
                assertTrue(expected >= 1);
                assertEquals(expected, backend.seen[y][x], "pixel " + y + "," + x);
            }
        }
    }

    // all windows agree on a pixel, so the averaged probability is that pixel's softmax
    static void assertSoftmaxOfCoordinates(Prediction p, int c, int h, int w) {
        assertEquals(Prediction.Kind.PROBABILITIES, p.kind());
        double[] e = new double[c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sum = 0;
                int best = 0;
                for (int k = 0; k < c; k++) {
                    float logit = FakeBackends.Coordinates.logit(k, y, x);
                    e[k] = Math.exp(logit);
                    sum += e[k];
                    if (logit > FakeBackends.Coordinates.logit(best, y, x)) {
                        best = k;
                    }
                }
                for (int k = 0; k < c; k++) {
                    assertEquals(e[k] / sum, p.scores()[k * h * w + y * w + x], 1e-5,
                            "class " + k + " at " + y + "," + x);
                }
                assertEquals(best, p.labels()[y * w + x], "pixel " + y + "," + x);
            }
        }
    }

    static void assertProbabilities(Prediction p) {
        int plane = p.height() * p.width();
        for (int i = 0; i < plane; i++) {
            double sum = 0;
            for (int k = 0; k < p.numClasses(); k++) {
                sum += p.scores()[k * plane + i];
            }
            assertEquals(1.0, sum, 1e-5);
        }
    }

    static int ceil32(long v) {
        return (int) ((v + 31) / 32 * 32);
    }
}
