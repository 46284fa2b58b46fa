package dev.bisenet.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Images for the tests: synthetic scenes, encoded files, and hostile files built byte by byte. */
final class TestImages {

    private TestImages() {}

    /** The sample street image shipped under samples/ (a CamVid test frame), or null if the checkout lacks it. */
    static Path camvidSample() {
        Path p = dev.bisenet.util.TestPaths.repo().resolve("samples/0001TP_008550.png");
        return Files.isRegularFile(p) ? p : null;
    }

    /** A deterministic "scene": sky-ish top, road-ish bottom, random boxes and noise, so the model sees structure. */
    static BufferedImage scene(int height, int width, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int base = y < height / 3 ? 0x8090b0 : y < 2 * height / 3 ? 0x705040 : 0x606068;
                img.setRGB(x, y, base);
            }
        }
        var g = img.createGraphics();
        for (int i = 0; i < 12; i++) {
            g.setColor(new java.awt.Color(r.nextInt(0xffffff)));
            g.fillRect(r.nextInt(width), r.nextInt(height), 4 + r.nextInt(width / 3 + 1), 4 + r.nextInt(height / 3 + 1));
        }
        g.dispose();
        for (int i = 0; i < width * height / 20; i++) {
            img.setRGB(r.nextInt(width), r.nextInt(height), r.nextInt(0xffffff));
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        var out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] png(int height, int width, long seed) {
        return encode(scene(height, width, seed), "png");
    }

    /**
     * A valid-looking PNG of about {@code idatBytes} whose header claims {@code width x height}
     * RGB pixels: decoding it naively would allocate 3 x width x height bytes.
     */
    static byte[] pngClaiming(int height, int width, int idatBytes) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] raw = new byte[idatBytes * 4];
        new Random(1).nextBytes(raw);
        Deflater d = new Deflater(1);
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 1024];
        int n = d.deflate(buf);
        d.end();
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", Arrays.copyOf(buf, Math.min(n, idatBytes)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
