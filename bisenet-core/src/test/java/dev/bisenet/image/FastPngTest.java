package dev.bisenet.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The fast PNG path gives exactly the pixels of ImageIO's, or steps aside. */
class FastPngTest {

    private static Rgb viaImageIo(byte[] png) throws Exception {
        return Rgb.of(ImageIO.read(new ByteArrayInputStream(png)));
    }

    private static byte[] write(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void greyRgbAndRgbaWrittenByImageIoDecodeToImageIosPixels() throws Exception {
        Random r = new Random(7);
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY,
            BufferedImage.TYPE_INT_RGB}) {
            BufferedImage img = new BufferedImage(67, 41, type);
            for (int y = 0; y < 41; y++) {
                for (int x = 0; x < 67; x++) { // gradients, edges and noise: the writer picks different filters
                    int noise = r.nextInt(256);
                    img.setRGB(x, y, (x < 30 ? noise : x * 3) << 16 | (y * 6) << 8 | (x * y & 255) | (r.nextInt(256) << 24));
                }
            }
            byte[] png = write(img);
            Rgb fast = FastPng.decode(png);
            assertNotNull(fast, "type " + type);
            Rgb slow = viaImageIo(png);
            assertEquals(slow.height(), fast.height());
            assertArrayEquals(slow.pixels(), fast.pixels(), "type " + type);
        }
    }

    @Test
    void everyFilterTypeIsUndone() throws Exception {
        int h = 10, w = 13, bpp = 3;
        Random r = new Random(3);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            raw.write(y % 5); // filters 0..4 in turn; the bytes are random, any bytes are a valid filtered row
            byte[] row = new byte[w * bpp];
            r.nextBytes(row);
            raw.write(row);
        }
        Deflater d = new Deflater();
        d.setInput(raw.toByteArray());
        d.finish();
        byte[] buf = new byte[1 << 16];
        byte[] z = Arrays.copyOf(buf, d.deflate(buf));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", new byte[] {0, 0, 0, (byte) w, 0, 0, 0, (byte) h, 8, 2, 0, 0, 0});
        chunk(png, "IDAT", z);
        chunk(png, "IEND", new byte[0]);
        byte[] bytes = png.toByteArray();
        assertArrayEquals(viaImageIo(bytes).pixels(), FastPng.decode(bytes).pixels());
    }

    @Test
    void otherPngsAndBrokenOnesAreLeftToImageIo() throws Exception {
        BufferedImage indexed = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_INDEXED);
        assertNull(FastPng.decode(write(indexed)), "palette");
        BufferedImage grey16 = new BufferedImage(20, 10, BufferedImage.TYPE_USHORT_GRAY);
        assertNull(FastPng.decode(write(grey16)), "16-bit");
        byte[] good = write(new BufferedImage(20, 10, BufferedImage.TYPE_3BYTE_BGR));
        assertNull(FastPng.decode(Arrays.copyOf(good, good.length / 2)), "truncated");
        assertNull(FastPng.decode(new byte[] {1, 2, 3}), "not a PNG");
    }

    @Test
    void camvidImagesDecodeAlike() throws Exception {
        Path test = Path.of(System.getProperty("bisenet.repo", "."), "..", "shared", "data", "camvid", "test");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(test), "no CamVid test images at " + test);
        try (var files = Files.list(test)) {
            for (Path f : files.sorted().limit(5).toList()) {
                byte[] b = Files.readAllBytes(f);
                assertArrayEquals(viaImageIo(b).pixels(), FastPng.decode(b).pixels(), f.toString());
            }
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] body) throws Exception {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(body.length);
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        d.write(t);
        d.write(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        d.writeInt((int) crc.getValue());
    }
}
