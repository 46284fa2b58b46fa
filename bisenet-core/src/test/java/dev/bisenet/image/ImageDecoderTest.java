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
