package dev.bisenet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.data.DataTest;
import dev.bisenet.data.SegDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Joint augmentation invariants and the training loader's determinism and shutdown. */
class LoaderTest {

    @TempDir
    Path dir;

    private SegDataset encodedDataset(boolean withBad, boolean skipBad) throws IOException {
        return DataTest.encodedDataset(dir, withBad, skipBad);
    }

    @Test
    void augmentationKeepsImageAndLabelAligned() throws IOException {
        SegDataset ds = encodedDataset(false, false);
        float[] mean = {0, 0, 0}, std = {1, 1, 1};
        JointTransform t = new JointTransform(new JointTransform.Params(64, 96, 0.5, 2.0, 0f, mean, std));
        int ch = 64, cw = 96, plane = ch * cw;
        int padded = 0, checked = 0;
        for (int trial = 0; trial < 40; trial++) {
            SegDataset.Item item = ds.load(trial % 3);
            float[] img = new float[3 * plane];
            byte[] lab = new byte[plane];
            t.apply(item.image().height(), item.image().width(), item.image().pixels(), item.labels(),
                    new SplittableRandom(trial), img, lab, 0);
            for (int i = 0; i < plane; i++) {
                int l = lab[i] & 0xff;
                float v = img[i] * 255; // back to 0..255 with mean 0, std 1
                if (l == 255) {
                    padded++;
                    continue;
                }
                assertTrue(l < 4, "labels keep their values (nearest neighbour): " + l);
                // away from class borders the colour is exactly the label's; near them bilinear mixes
                if (Math.abs(v - 60 * l) < 0.5f || isBorder(lab, i, cw, ch)) {
                    checked++;
                } else {
                    throw new AssertionError("trial " + trial + " pixel " + i + ": colour " + v + " but label " + l);
                }
            }
        }
        assertTrue(padded > 0, "small scales pad, and padding is ignore");
        assertTrue(checked > 40 * plane / 2);
    }

    private static boolean isBorder(byte[] lab, int i, int w, int h) {
        int y = i / w, x = i % w;
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                int yy = y + dy, xx = x + dx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) return true; // the crop edge hides the neighbour
                if (lab[yy * w + xx] != lab[i]) return true;
            }
        }
        return false;
    }


    @Test
    void paddingIsBlackAndIgnoreAndFlipMirrorsBoth() {
        // a 2x2 image (labels 0..3) scaled by 1 into a 32x32 crop: mostly padding
        byte[] rgb = {10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40};
        byte[] lab = {0, 1, 2, 3};
        JointTransform t = new JointTransform(new JointTransform.Params(32, 32, 1, 1, 0f, new float[3], new float[] {1, 1, 1}));
        int flips = 0;
        for (int seed = 0; seed < 20; seed++) {
            float[] img = new float[3 * 32 * 32];
            byte[] out = new byte[32 * 32];
            t.apply(2, 2, rgb, lab, new SplittableRandom(seed), img, out, 0);
            int found = -1;
            for (int i = 0; i < out.length; i++) {
                if (out[i] != (byte) 255) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0);
            int l0 = out[found], l1 = out[found + 1];
            assertTrue((l0 == 0 && l1 == 1) || (l0 == 1 && l1 == 0), "two adjacent label pixels, in some order");
            if (l0 == 1) flips++;
            assertEquals(10 * (l0 + 1), img[found] * 255, 1e-3, "the image follows the label through the flip");
            for (int i = 0; i < out.length; i++) {
                if (out[i] == (byte) 255) assertEquals(0f, img[i], "padding is black before normalisation");
            }
        }
        assertTrue(flips > 3 && flips < 17, "flips about half the time: " + flips);
    }

    @Test
    void jitterChangesColoursOnlyNotTheWindows() {
        // a 40x60 gradient with labels by 8x6 block (row and column): the same seed with and without
        // jitter crops the same window (the jitter's draws come last), so labels match and only the
        // colours differ
        int h = 40, w = 60;
        byte[] rgb = new byte[3 * h * w], lab = new byte[h * w];
        for (int i = 0; i < h * w; i++) {
            lab[i] = (byte) (i / w / 8 * 10 + i % w / 6);
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = (byte) (40 + (i % w) * 2 + c * 30 + i / w);
        }
        float[] mean = new float[3], std = {1, 1, 1};
        JointTransform with = new JointTransform(new JointTransform.Params(32, 32, 0.75, 1.5, 0.4f, mean, std));
        JointTransform without = new JointTransform(new JointTransform.Params(32, 32, 0.75, 1.5, 0f, mean, std));
        int differ = 0;
        for (int seed = 0; seed < 10; seed++) {
            float[] a = new float[3 * 32 * 32], b = new float[3 * 32 * 32];
            byte[] la = new byte[32 * 32], lb = new byte[32 * 32];
            with.apply(h, w, rgb, lab, new SplittableRandom(seed), a, la, 0);
            without.apply(h, w, rgb, lab, new SplittableRandom(seed), b, lb, 0);
            assertArrayEquals(la, lb, "seed " + seed + ": the same window with and without jitter");
            if (!java.util.Arrays.equals(a, b)) differ++;
        }
        assertTrue(differ >= 9, "jitter 0.4 changes the colours: " + differ + " of 10");
    }

    @Test
    void batchesDependOnlyOnSeedAndIteration() throws Exception {
        SegDataset ds = encodedDataset(false, false);
        JointTransform.Params p = new JointTransform.Params(32, 64, 0.75, 1.5, 0.4f, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.2f, 0.2f, 0.2f});
        Batches.Batch b5;
        try (BatchLoader from0 = new BatchLoader(ds, 2, p, 9, 0, 2, 3)) {
            Batches.Batch b = null;
            for (int i = 0; i <= 5; i++) b = from0.next();
            b5 = b;
        }
        try (BatchLoader from5 = new BatchLoader(ds, 2, p, 9, 5, 1, 1)) {
            Batches.Batch again = from5.next();
            assertEquals(5, again.iteration());
            assertArrayEquals(b5.images(), again.images());
            assertArrayEquals(b5.labels(), again.labels());
        }
        try (BatchLoader otherSeed = new BatchLoader(ds, 2, p, 10, 5, 1, 1)) {
            assertTrue(!java.util.Arrays.equals(b5.images(), otherSeed.next().images()));
        }
        Thread.sleep(50);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(
                t -> t.getName().startsWith("bisenet-loader") && t.isAlive()), "no loader thread survives close()");
    }

    @Test
    void classCropsFindASmallObjectThatRandomCropsMiss() {
        // 200x300 of class 0 with a 3x3 object of class 1 near a corner and an ignored band:
        // a 32x32 window placed at random holds the object about 1.5% of the time
        int h = 200, w = 300;
        byte[] lab = new byte[h * w], rgb = new byte[3 * h * w];
        for (int y = 0; y < 20; y++) {
            java.util.Arrays.fill(lab, y * w, y * w + w, (byte) 255);
        }
        for (int y = 170; y < 173; y++) {
            for (int x = 260; x < 263; x++) {
                lab[y * w + x] = 1;
            }
        }
        float[] mean = new float[3], std = {1, 1, 1};
        int[] hits = new int[2];
        for (double p : new double[] {0, 1}) {
            JointTransform t = new JointTransform(new JointTransform.Params(32, 32, 0.75, 1.5, 0f, mean, std, p));
            for (int seed = 0; seed < 400; seed++) {
                byte[] out = new byte[32 * 32];
                t.apply(h, w, rgb, lab, new SplittableRandom(seed), new float[3 * 32 * 32], out, 0);
                for (byte b : out) {
                    if (b == 1) {
                        hits[(int) p]++;
                        break;
                    }
                }
            }
        }
        assertTrue(hits[0] < 40, "random windows rarely hold the object: " + hits[0] + " of 400");
        // two classes present, drawn uniformly: about half the class-placed windows are on the object
        assertTrue(hits[1] > 150 && hits[1] < 250, "class-placed windows hold it about half the time: " + hits[1] + " of 400");
    }

    @Test
    void classPixelDrawsPresentClassesUniformlyAndSkipsIgnore() {
        byte[] lab = new byte[1000];
        java.util.Arrays.fill(lab, (byte) 255);
        java.util.Arrays.fill(lab, 0, 990, (byte) 3);
        lab[995] = 7; // one pixel of class 7 among 990 of class 3
        SplittableRandom rng = new SplittableRandom(1);
        int sevens = 0;
        for (int i = 0; i < 2000; i++) {
            int at = JointTransform.classPixel(lab, lab.length, rng);
            assertTrue(lab[at] == 3 || lab[at] == 7, "never an ignored pixel: " + at);
            sevens += lab[at] == 7 ? 1 : 0;
        }
        assertTrue(sevens > 900 && sevens < 1100, "each present class half the time: " + sevens);
        java.util.Arrays.fill(lab, (byte) 255);
        assertEquals(-1, JointTransform.classPixel(lab, lab.length, rng), "all ignored: no pixel");
        for (int k = 0; k < 200; k++) {
            int off = JointTransform.windowOver(5, 40, 32, rng);
            assertTrue(off >= 0 && off <= 5 && off + 32 > 5 && off + 32 <= 40, "window inside the extent over the pixel: " + off);
        }
    }
}
