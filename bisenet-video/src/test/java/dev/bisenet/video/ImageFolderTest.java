package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.video.VideoTestKit.FakeModel;
import dev.bisenet.util.UserException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of images in and out, including unreadable files. */
class ImageFolderTest {

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    /** A 6x10 picture whose red encodes i, with a blue square so the layout is checked too. */
    private static BufferedImage drawn(int i) {
        BufferedImage img = new BufferedImage(10, 6, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(10 * i, 100, 0));
        g.fillRect(0, 0, 10, 6);
        g.setColor(Color.BLUE);
        g.fillRect(7, 4, 3, 2);
        g.dispose();
        return img;
    }

    @Test
    void framesInNaturalOrderWithTheCorruptOneSkipped() throws IOException {
        Path in = Files.createDirectory(tmp.resolve("frames"));
        // names chosen so that plain string order would be wrong: 2 < 10
        for (int i : new int[] {1, 2, 3, 5, 10, 11}) {
            ImageIO.write(drawn(i), "png", in.resolve("frame_" + i + ".png").toFile());
        }
        Files.write(in.resolve("frame_4.png"), new byte[] {1, 2, 3, 4, 5});
        Files.writeString(in.resolve("notes.txt"), "not an image");

        Path out = tmp.resolve("out");
        Stats stats;
        try (ImageFolderSource source = new ImageFolderSource(in, new FrameRate(10, 1),
                warnings::add)) {
            assertEquals(6, source.info().height());
            assertEquals(10, source.info().width());
            stats = Pipeline.builder().setSource(source).setModel(new FakeModel(8, 0))
                    .setRenderer(new Renderer(VideoTestKit.PALETTE, 0.0))
                    .addSink(new ImageFolderSink(out, "", true, true)).build().run();
        }
        assertEquals(6, stats.framesOut());
        assertEquals(1, stats.corrupt());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("frame_4.png"), warnings.get(0));

        // index = position in the sorted folder, the corrupt file included
        String[] stems = {"frame_1", "frame_2", "frame_3", "frame_5", "frame_10", "frame_11"};
        int[] positions = {0, 1, 2, 4, 5, 6};
        int[] drawnIndex = {1, 2, 3, 5, 10, 11};
        for (int k = 0; k < stems.length; k++) {
            BufferedImage overlay = ImageIO.read(out.resolve(stems[k] + "_overlay.png").toFile());
            // alpha 0: the overlay is the input picture unchanged
            assertEquals(new Color(10 * drawnIndex[k], 100, 0).getRGB(), overlay.getRGB(0, 0),
                    stems[k]);
            assertEquals(Color.BLUE.getRGB(), overlay.getRGB(8, 5), stems[k]);
            BufferedImage labels = ImageIO.read(out.resolve(stems[k] + ".png").toFile());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, labels.getType());
            assertEquals(positions[k] % 8, labels.getRaster().getSample(3, 2, 0), stems[k]);
        }
        assertFalse(Files.exists(out.resolve("frame_4_overlay.png")));
    }

    @Test
    void everyRasterLayoutGivesTheSameRgb() {
        BufferedImage ref = drawn(7);
        byte[] want = ImageFolderSource.toRgb(ref); // TYPE_INT_RGB: the general path
        assertEquals(70, want[0] & 0xFF);
        assertEquals(255, want[(5 * 10 + 8) * 3 + 2] & 0xFF);
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_ARGB}) {
            BufferedImage img = new BufferedImage(10, 6, type);
            Graphics2D g = img.createGraphics();
            g.drawImage(ref, 0, 0, null);
            g.dispose();
            assertArrayEquals(want, ImageFolderSource.toRgb(img), "type " + type);
        }
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 1, 0, 200);
        byte[] rgb = ImageFolderSource.toRgb(grey);
        assertArrayEquals(new byte[] {(byte) 200, (byte) 200, (byte) 200},
                java.util.Arrays.copyOfRange(rgb, 15, 18));
        assertEquals(0, rgb[0]);
    }

    @Test
    void anImageWhoseHeaderClaimsAHugeSizeIsSkippedBeforeDecoding() throws IOException {
        Path in = Files.createDirectory(tmp.resolve("huge"));
        ImageIO.write(drawn(1), "png", in.resolve("a.png").toFile());
        // a PNG whose IHDR says 20000 pixels wide, with a valid checksum
        byte[] png = Files.readAllBytes(in.resolve("a.png"));
        ByteBuffer.wrap(png).putInt(16, 20000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
        Files.write(in.resolve("b.png"), png);
        try (ImageFolderSource source = new ImageFolderSource(in, FrameRate.DEFAULT,
                warnings::add)) {
            assertEquals("a", source.next().stem());
            assertNull(source.next());
            assertEquals(1, source.corruptFrames());
        }
        assertTrue(warnings.get(0).contains("b.png") && warnings.get(0).contains("20000"),
                warnings.get(0));
    }

    @Test
    void aFolderWithoutImagesIsAUserError() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        UserException e = assertThrows(UserException.class,
                () -> new ImageFolderSource(empty, FrameRate.DEFAULT, warnings::add));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertThrows(UserException.class, () -> new ImageFolderSource(tmp.resolve("missing"),
                FrameRate.DEFAULT, warnings::add));
    }

    @Test
    void naturalOrder() {
        List<String> names = new ArrayList<>(List.of("f10.png", "f2.png", "f1.png", "f02.png",
                "g.png", "f.png", "f1a.png"));
        names.sort(ImageFolderSource::compareNatural);
        assertEquals(List.of("f.png", "f1.png", "f1a.png", "f02.png", "f2.png", "f10.png",
                "g.png"), names);
    }
}
