package dev.bisenet.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header-first decoder: sizes read before pixels, oversized images refused before allocation. */
class ImageDecoderTest {

    @TempDir
    Path dir;

    @Test
    void decodesWhatImageIoDecodes() throws IOException {
        BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(4, 2, 0, 77);
        Path p = dir.resolve("g.png");
        ImageIO.write(img, "png", p.toFile());
        BufferedImage back = ImageDecoder.read(p);
        assertEquals(5, back.getWidth());
        assertEquals(3, back.getHeight());
        assertEquals(77, back.getRaster().getSample(4, 2, 0));
        assertEquals(5, ImageDecoder.decode(Files.readAllBytes(p), "upload", 15).getWidth(), "exactly at the limit");
    }

    @Test
    void aHugeHeaderIsRefusedBeforeTheRasterIsAllocated() throws IOException {
        // 60000x60000 RGBA at 16 bits: ImageIO.read would ask for 28 GB before any check
        byte[] png = pngHeaderOnly(60000, 60000, 16, 6);
        Path p = dir.resolve("bomb.png");
        Files.write(p, png);
        UserException e = assertThrows(UserException.class, () -> ImageDecoder.read(p));
        assertTrue(e.getMessage().startsWith(p + ": image of 60000x60000 (height x width) is too large to decode"),
                e.getMessage());
        // the pixel limit is the caller's to choose; the raster-bytes limit holds for every caller
        e = assertThrows(UserException.class, () -> ImageDecoder.decode(png, "upload", Long.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("upload: image of 60000x60000"), e.getMessage());
        e = assertThrows(UserException.class, () -> ImageDecoder.decode(pngHeaderOnly(4, 4, 8, 0), "small", 15));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void damagedFilesNameTheFile() throws IOException {
        Path none = dir.resolve("none.png");
        assertTrue(assertThrows(UserException.class, () -> ImageDecoder.read(none)).getMessage()
                .equals(none + ": no such image file"));
        Path junk = dir.resolve("junk.png");
        Files.write(junk, new byte[] {1, 2, 3});
        assertTrue(assertThrows(UserException.class, () -> ImageDecoder.read(junk)).getMessage()
                .startsWith(junk + ": not an image format this reader knows"));
        // a header whose pixel data never comes
        Path cut = dir.resolve("cut.png");
        Files.write(cut, pngHeaderOnly(8, 8, 8, 0));
        String m = assertThrows(UserException.class, () -> ImageDecoder.read(cut)).getMessage();
        assertTrue(m.startsWith(cut + ": ") && !m.contains("\n"), m);
    }

    @Test
    void reasonsSayWhyAndTruncatedJpegsAreRefused() throws IOException {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, x * 4 << 16 | y * 5 << 8 | 90);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", jpeg);
        byte[] whole = jpeg.toByteArray();
        assertEquals(48, ImageDecoder.decode(whole, "upload", 1 << 20, java.util.Set.of("jpeg")).getHeight());
        // ImageIO decodes a cut-off JPEG to grey with only a warning: the decoder refuses it
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        assertEquals(ImageDecoder.Reason.CORRUPT, assertThrows(ImageDecoder.Refused.class,
                () -> ImageDecoder.decode(cut, "upload", 1 << 20)).reason());
        assertEquals(ImageDecoder.Reason.UNSUPPORTED_FORMAT, assertThrows(ImageDecoder.Refused.class,
                () -> ImageDecoder.decode(whole, "upload", 1 << 20, java.util.Set.of("png"))).reason());
        assertEquals(ImageDecoder.Reason.TOO_LARGE, assertThrows(ImageDecoder.Refused.class,
                () -> ImageDecoder.decode(whole, "upload", 64 * 48 - 1)).reason());
        assertEquals(ImageDecoder.Reason.NOT_AN_IMAGE, assertThrows(ImageDecoder.Refused.class,
                () -> ImageDecoder.decode(new byte[] {1, 2, 3}, "upload", 1 << 20)).reason());
    }

    /** The PNG signature and an IHDR chunk, nothing after: enough for a reader to report the size. */
    private static byte[] pngHeaderOnly(int width, int height, int bitDepth, int colourType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
