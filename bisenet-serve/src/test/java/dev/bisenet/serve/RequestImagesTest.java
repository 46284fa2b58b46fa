package dev.bisenet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.image.Rgb;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RequestImagesTest {

    static final long LIMIT = 16_777_216;

    @Test
    void decodesPngJpegAndBmpToTheirSize() {
        BufferedImage scene = TestImages.scene(37, 53, 1);
        for (String format : new String[] {"png", "jpeg", "bmp"}) {
            Rgb rgb = RequestImages.decode(TestImages.encode(scene, format), LIMIT);
            assertEquals(37, rgb.height(), format);
            assertEquals(53, rgb.width(), format);
        }
        Rgb png = RequestImages.decode(TestImages.encode(scene, "png"), LIMIT);
        int p = scene.getRGB(10, 5); // lossless: the pixel comes back exactly, in RGB order
        int at = 3 * (5 * 53 + 10);
        assertEquals(p >> 16 & 0xff, png.pixels()[at] & 0xff);
        assertEquals(p >> 8 & 0xff, png.pixels()[at + 1] & 0xff);
        assertEquals(p & 0xff, png.pixels()[at + 2] & 0xff);
    }

    @Test
    void pngsTakeTheFastDecoderAndGiveImageIosPixels() throws Exception {
        for (int seed = 1; seed <= 3; seed++) { // TestImages' scenes exercise all five PNG row filters
            byte[] png = TestImages.encode(TestImages.scene(61, 47, seed), "png");
            Rgb viaImageIo = Rgb.of(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)));
            assertTrue(Arrays.equals(viaImageIo.pixels(), RequestImages.decode(png, LIMIT).pixels()), "seed " + seed);
        }
    }

    @Test
    void aHugeHeaderIsRefusedFromTheHeaderAlone() {
        byte[] bomb = TestImages.pngClaiming(60000, 60000, 100_000);
        assertTrue(bomb.length < 110_000, "the file itself is small: " + bomb.length);
        long before = usedHeap();
        ApiError e = assertThrows(ApiError.class, () -> RequestImages.decode(bomb, LIMIT));
        assertEquals(413, e.status);
        assertTrue(e.getMessage().contains("60000x60000"), e.getMessage());
        assertTrue(e.getMessage().contains("--max-pixels"), e.getMessage());
        // 60000 x 60000 x 3 bytes would be 10 GB; nothing near even 100 MB was allocated.
        assertTrue(usedHeap() - before < 100L << 20, "heap grew by " + (usedHeap() - before));
    }

    @Test
    void theLimitIsExactlyMaxPixels() {
        byte[] png = TestImages.png(20, 30, 2);
        assertEquals(20, RequestImages.decode(png, 600).height());
        assertEquals(413, assertThrows(ApiError.class, () -> RequestImages.decode(png, 599)).status);
    }

    @Test
    void truncatedImagesAreRefused() {
        byte[] png = TestImages.png(64, 64, 3);
        byte[] jpeg = TestImages.encode(TestImages.scene(64, 64, 3), "jpeg");
        for (byte[] cut : new byte[][] {Arrays.copyOf(png, png.length / 2), Arrays.copyOf(jpeg, jpeg.length / 2),
                Arrays.copyOf(png, 40), Arrays.copyOf(jpeg, 300)}) {
            ApiError e = assertThrows(ApiError.class, () -> RequestImages.decode(cut, LIMIT));
            assertEquals(400, e.status, e.getMessage());
            assertTrue(e.getMessage().contains("corrupt or truncated") || e.getMessage().contains("cannot be decoded"),
                    e.getMessage());
        }
    }

    @Test
    void bytesThatAreNoImageAreRefused() {
        ApiError random = assertThrows(ApiError.class, () -> RequestImages.decode(TestImages.randomBytes(5000, 4), LIMIT));
        assertEquals(415, random.status);
        assertTrue(random.getMessage().contains("PNG, JPEG"), random.getMessage());
        assertEquals(400, assertThrows(ApiError.class, () -> RequestImages.decode(new byte[0], LIMIT)).status);
        // a PNG signature followed by garbage
        byte[] sig = Arrays.copyOf(TestImages.png(8, 8, 5), 8);
        byte[] fake = new byte[2000];
        System.arraycopy(sig, 0, fake, 0, 8);
        System.arraycopy(TestImages.randomBytes(1992, 6), 0, fake, 8, 1992);
        int status = assertThrows(ApiError.class, () -> RequestImages.decode(fake, LIMIT)).status;
        assertTrue(status == 400 || status == 413, "status " + status);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
