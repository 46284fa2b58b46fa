package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Whole protocols against PyTorch 1.13 on an affine fake network (a 1x1 convolution, so the
 * only differences can come from resampling, padding, flipping, softmax and averaging). The
 * expected numbers were computed with {@code F.interpolate(..., mode='bilinear',
 * align_corners=False)}, {@code F.pad} bottom/right, {@code torch.flip} and {@code softmax},
 * with sizes round-half-up(H * s) as {@link Protocols#scaledSize} defines them.
 */
class ProtocolsGoldenTest {

    static final int H = 37;
    static final int W = 45;
    // (y, x) of the checked pixels: the corners, the centre and a few others
    static final int[][] PIXELS = {{0, 0}, {0, 44}, {36, 0}, {36, 44}, {18, 22}, {5, 17},
        {30, 3}, {11, 40}};

    // img[c][y][x] = sin(0.7 y + 1.3 x + 2.1 c), computed in double and stored as float
    static float[] image() {
        float[] img = new float[3 * H * W];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img[(c * H + y) * W + x] = (float) Math.sin(0.7 * y + 1.3 * x + 2.1 * c);
                }
            }
        }
        return img;
    }

    @Test
    void multiScaleFlipMatchesPyTorch() {
        Prediction p = new Protocols(new FakeBackends.Affine(), EvalOptions.of(Mode.MSF, 255))
                .predict(image(), H, W);
        double[][] expected = {
            {0.1040176, 0.091314, 0.8046684}, {0.1350577, 0.0440991, 0.820843},
            {0.0633356, 0.1142331, 0.8224313}, {0.1109729, 0.0857393, 0.8032878},
            {0.5375555, 0.3895302, 0.0729144}, {0.1568413, 0.0963674, 0.7467914},
            {0.0650473, 0.3265342, 0.6084185}, {0.7780213, 0.14686, 0.0751187},
        };
        assertScores(expected, p, 2e-6);
        // the closest top-2 margin is 1.4e-3, far above float noise, so counts are exact
        assertArrayEquals(new int[] {623, 583, 459}, labelCounts(p));
    }

    @Test
    void singleScaleWithScaleOptionMatchesPyTorch() {
        Prediction p = new Protocols(new FakeBackends.Affine(),
                EvalOptions.of(Mode.SS, 255).withScale(0.75)).predict(image(), H, W);
        double[][] expected = {
            {-0.435689, -0.39005, 1.928606}, {0.239425, -0.966761, 1.998076},
            {-0.75146, -0.098896, 1.832191}, {-0.092456, -0.690669, 1.986065},
            {0.283437, -0.028509, -0.911012}, {0.025359, -0.53379, 1.229297},
            {-1.084198, 0.442246, 1.030911}, {1.096457, -0.554477, -1.330588},
        };
        assertScores(expected, p, 5e-6);
        assertArrayEquals(new int[] {630, 566, 469}, labelCounts(p));
    }

    static void assertScores(double[][] expected, Prediction p, double tolerance) {
        for (int i = 0; i < PIXELS.length; i++) {
            int y = PIXELS[i][0];
            int x = PIXELS[i][1];
            for (int k = 0; k < 3; k++) {
                assertEquals(expected[i][k], p.scores()[(k * H + y) * W + x], tolerance,
                        "class " + k + " at " + y + "," + x);
            }
        }
    }

    static int[] labelCounts(Prediction p) {
        int[] counts = new int[3];
        for (int l : p.labels()) {
            counts[l]++;
        }
        return counts;
    }
}
