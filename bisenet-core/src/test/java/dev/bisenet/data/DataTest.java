package dev.bisenet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.image.Rgb;
import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image and label reading and dataset checks (augmentation and the loader: LoaderTest in bisenet-torch). */
public class DataTest {

    @TempDir
    Path dir;

    private Path png(String name, BufferedImage img) throws IOException {
        Path p = dir.resolve(name);
        ImageIO.write(img, name.endsWith(".jpg") ? "jpg" : "png", p.toFile());
        return p;
    }

    @Test
    void readsEveryKindOfImage() throws IOException {
        BufferedImage gray = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 2, 0, 200);
        Rgb g = Rgb.read(png("g.png", gray));
        assertEquals(3, g.height());
        assertEquals(4, g.width());
        assertEquals(200, g.pixels()[3 * (2 * 4 + 1)] & 0xff);

        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(1, 0, 0x80102030);
        Rgb a = Rgb.read(png("a.png", rgba));
        assertArrayEquals(new byte[] {0x10, 0x20, 0x30}, java.util.Arrays.copyOfRange(a.pixels(), 3, 6), "alpha dropped");

        byte[] r = {0, (byte) 255}, gg = {0, 0}, b = {0, (byte) 128};
        BufferedImage pal = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, gg, b));
        pal.getRaster().setSample(1, 0, 0, 1);
        Rgb p = Rgb.read(png("p.png", pal));
        assertEquals(255, p.pixels()[3] & 0xff);
        assertEquals(128, p.pixels()[5] & 0xff);

        BufferedImage sixteen = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        sixteen.getRaster().setSample(0, 0, 0, 0xff00);
        assertEquals(255, Rgb.read(png("s.png", sixteen)).pixels()[0] & 0xff);

        BufferedImage color = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) color.setRGB(x, y, 0x3080c0);
        Rgb j = Rgb.read(png("c.jpg", color));
        assertEquals(0x30, j.pixels()[0] & 0xff, 6);
        assertEquals(0x80, j.pixels()[1] & 0xff, 6);
        assertEquals(0xc0, j.pixels()[2] & 0xff, 6);
    }

    @Test
    void badImagesNameTheFile() throws IOException {
        Path junk = dir.resolve("junk.png");
        Files.write(junk, new byte[] {1, 2, 3, 4});
        UserException e = assertThrows(UserException.class, () -> Rgb.read(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
        byte[] good = Files.readAllBytes(png("t.png", new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR)));
        Path cut = dir.resolve("cut.png");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length / 2));
        e = assertThrows(UserException.class, () -> Rgb.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }

    @Test
    void labelChecks() throws IOException {
        int[] size = new int[2];
        BufferedImage colour = new BufferedImage(4, 4, BufferedImage.TYPE_3BYTE_BGR);
        Path c = png("colour.png", colour);
        UserException e = assertThrows(UserException.class, () -> Labels.read(c, Preset.CAMVID.labelMapping(), size));
        assertTrue(e.getMessage().contains("colour") && e.getMessage().startsWith(c.toString()), e.getMessage());

        BufferedImage bad = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        bad.getRaster().setSample(2, 1, 0, 12);
        Path b = png("bad.png", bad);
        e = assertThrows(UserException.class, () -> Labels.read(b, Preset.CAMVID.labelMapping(), size));
        assertTrue(e.getMessage().contains("label value 12") && e.getMessage().contains("y 1, x 2"), e.getMessage());

        BufferedImage ok = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        ok.getRaster().setSample(0, 0, 0, 11);
        ok.getRaster().setSample(1, 0, 0, 7);
        byte[] l = Labels.read(png("ok.png", ok), Preset.CAMVID.labelMapping(), size);
        assertEquals(255, l[0] & 0xff, "CamVid 11 is ignored");
        assertEquals(7, l[1]);
    }

    /** An image whose colour encodes its label, and a label with one bad file, in a list dataset. */
    private SegDataset encodedDataset(boolean withBad, boolean skipBad) throws IOException {
        return encodedDataset(dir, withBad, skipBad);
    }

    /** Three small image/label pairs (4 classes in stripes) in {@code dir}, as a list-file dataset. */
    public static SegDataset encodedDataset(Path dir, boolean withBad, boolean skipBad) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            int h = 40 + 8 * k, w = 60;
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            BufferedImage lab = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int cls = (x / 7 + y / 5) % 4;
                    img.setRGB(x, y, (cls * 60) << 16 | (cls * 60) << 8 | (cls * 60));
                    lab.getRaster().setSample(x, y, 0, cls);
                }
            }
            if (withBad && k == 1) {
                lab = new BufferedImage(w, h + 1, BufferedImage.TYPE_BYTE_GRAY); // size mismatch
            }
            ImageIO.write(img, "png", dir.resolve("i" + k + ".png").toFile());
            ImageIO.write(lab, "png", dir.resolve("l" + k + ".png").toFile());
            lines.add("i" + k + ".png l" + k + ".png");
        }
        Files.write(dir.resolve("list.txt"), lines);
        return Datasets.fromList(dir, dir.resolve("list.txt"), DatasetSpec.custom(4, 255, null, null, null), skipBad);
    }

    @Test
    void sizeMismatchStopsOrIsSkipped() throws IOException {
        SegDataset strict = encodedDataset(true, false);
        UserException e = assertThrows(UserException.class, () -> strict.load(1));
        assertTrue(e.getMessage().contains("l1.png: label is 49x60 but its image"), e.getMessage());
        SegDataset lenient = encodedDataset(true, true);
        assertEquals("i2", lenient.load(1).name(), "the next good sample stands in");
        assertEquals(1, lenient.badSamples().size());
        assertTrue(lenient.badSamples().get(0).file().endsWith("i1.png"));
    }

    @Test
    void camvidSplits() {
        Path root = camvid();
        org.junit.jupiter.api.Assumptions.assumeTrue(root != null,
                "skipped: CamVid not found at ../shared/data/camvid or $BISENET_CAMVID");
        assertEquals(367, Datasets.open(Preset.CAMVID, root, "train", false).size());
        assertEquals(101, Datasets.open(Preset.CAMVID, root, "val", false).size());
        assertEquals(233, Datasets.open(Preset.CAMVID, root, "test", false).size());
        SegDataset.Item item = Datasets.open(Preset.CAMVID, root, "val", false).load(0);
        assertEquals(360, item.image().height());
        assertEquals(480, item.image().width());
    }

    @Test
    void camvidMeanAndStdAreWhatTheTrainSplitGives() {
        Path root = camvid();
        org.junit.jupiter.api.Assumptions.assumeTrue(root != null,
                "skipped: CamVid not found at ../shared/data/camvid or $BISENET_CAMVID");
        SegDataset train = Datasets.open(Preset.CAMVID, root, "train", false);
        double[] sum = new double[3], sq = new double[3];
        long n = 0;
        for (int i = 0; i < train.size(); i++) {
            byte[] px = Rgb.read(train.sample(i).image()).pixels();
            for (int k = 0; k < px.length; k += 3) {
                for (int c = 0; c < 3; c++) {
                    double v = (px[k + c] & 0xff) / 255.0;
                    sum[c] += v;
                    sq[c] += v * v;
                }
            }
            n += px.length / 3;
        }
        for (int c = 0; c < 3; c++) {
            double m = sum[c] / n;
            assertEquals(Preset.CAMVID.mean()[c], m, 1e-3);
            assertEquals(Preset.CAMVID.std()[c], Math.sqrt(sq[c] / n - m * m), 1e-3);
        }
    }

    static Path camvid() {
        String env = System.getenv("BISENET_CAMVID");
        for (Path p : new Path[] {env != null ? Path.of(env) : null, dev.bisenet.util.TestPaths.shared("data/camvid")}) {
            if (p != null && Files.isRegularFile(p.resolve("train.txt"))) return p;
        }
        return null;
    }
}
