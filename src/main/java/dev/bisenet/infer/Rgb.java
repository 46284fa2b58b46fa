package dev.bisenet.infer;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** PLACEHOLDER until the data package lands: an 8-bit RGB image, height x width, interleaved. */
public record Rgb(int height, int width, byte[] pixels) {

    public static Rgb of(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth();
        byte[] px = new byte[3 * h * w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int o = 3 * (y * w + x);
                px[o] = (byte) (p >> 16);
                px[o + 1] = (byte) (p >> 8);
                px[o + 2] = (byte) p;
            }
        }
        return new Rgb(h, w, px);
    }

    public static Rgb read(Path file) {
        try {
            BufferedImage img = javax.imageio.ImageIO.read(file.toFile());
            if (img == null) throw new dev.bisenet.util.UserException(file + ": not an image ImageIO can read");
            return of(img);
        } catch (java.io.IOException e) {
            throw new dev.bisenet.util.UserException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
