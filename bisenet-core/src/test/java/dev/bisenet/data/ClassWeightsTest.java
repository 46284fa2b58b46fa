package dev.bisenet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassWeightsTest {

    @TempDir
    Path dir;

    /** Two 10x10 labels: the first all class 0; the second half class 0, 30 px class 1, 20 px class 2 (3 unused, 255 ignored nowhere). */
    private SegDataset twoImages() throws IOException {
        BufferedImage a = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage b = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 100; i++) {
            b.getRaster().setSample(i % 10, i / 10, 0, i < 50 ? 0 : i < 80 ? 1 : 2);
        }
        BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_3BYTE_BGR);
        ImageIO.write(img, "png", dir.resolve("i.png").toFile());
        ImageIO.write(a, "png", dir.resolve("a.png").toFile());
        ImageIO.write(b, "png", dir.resolve("b.png").toFile());
        Files.write(dir.resolve("list.txt"), List.of("i.png a.png", "i.png b.png"));
        return Datasets.fromList(dir, dir.resolve("list.txt"), DatasetSpec.custom(4, 255, null, null, null), false);
    }

    @Test
    void countsPixelsAndThePixelsOfTheImagesHoldingEachClass() throws IOException {
        ClassWeights.Counts c = ClassWeights.count(twoImages(), 4);
        assertArrayEquals(new long[] {150, 30, 20, 0}, c.pixels());
        assertArrayEquals(new long[] {200, 100, 100, 0}, c.imagePixels());
        assertEquals(2, c.images());
    }

    @Test
    void medianFrequencyAsSegNet() throws IOException {
        // frequencies 0.75, 0.30, 0.20; median 0.30 -> weights 0.4, 1, 1.5; class 3 absent -> 1
        float[] w = ClassWeights.medianFrequency(ClassWeights.count(twoImages(), 4));
        assertArrayEquals(new float[] {0.4f, 1f, 1.5f, 1f}, w, 1e-6f);
        float[] sqrt = ClassWeights.parse("sqrt", 4, () -> ClassWeights.count(dirDataset(), 4));
        assertEquals(Math.sqrt(1.5), sqrt[2], 1e-6);
    }

    private SegDataset dirDataset() {
        try {
            return twoImages();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void explicitWeightsAndBadValues() {
        assertNull(ClassWeights.parse("none", 3, () -> { throw new AssertionError("no counting for none"); }));
        assertArrayEquals(new float[] {1f, 2.5f, 0f}, ClassWeights.parse("1, 2.5,0", 3, () -> null), 0f);
        for (String bad : new String[] {"1,2", "1,x,2", "1,-1,2", "1,NaN,2", "1,Infinity,2", "mean"}) {
            UserException e = assertThrows(UserException.class, () -> ClassWeights.parse(bad, 3, () -> null), bad);
            assertTrue(e.getMessage().contains("--class-weights"), e.getMessage());
        }
    }
}
