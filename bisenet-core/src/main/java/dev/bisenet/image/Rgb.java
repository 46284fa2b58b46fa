package dev.bisenet.image;

import java.io.IOException;
import java.nio.file.Files;
import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferUShort;
import java.nio.file.Path;

/**
 * An 8-bit RGB image, height x width, pixels interleaved row-major ({@code r, g, b, r, g, b...}).
 * Reads any PNG, JPEG, BMP or GIF that ImageIO decodes: grey, grey+alpha, palette, RGB, RGBA
 * (alpha dropped), 16-bit (scaled to 8 bits).
 */
public record Rgb(int height, int width, byte[] pixels) {

    public Rgb {
        if (pixels.length != 3 * height * width) {
            throw new IllegalArgumentException(pixels.length + " bytes for a " + height + "x" + width + " RGB image");
        }
    }

    /** Reads an image file; a file that is not a readable image gets one line naming it. */
    public static Rgb read(Path file) {
        if (Files.isRegularFile(file)) {
            try {
                Rgb fast = FastPng.decode(Files.readAllBytes(file));
                if (fast != null) {
                    return fast;
                }
            } catch (IOException e) {
                // ImageIO reads it again below and says what is wrong
            }
        }
        return of(readImage(file), file);
    }

    /**
     * Decodes {@code file} header first ({@link ImageDecoder}: an oversized image is refused before
     * its raster is allocated), turning failures into messages a user can act on.
     */
    public static BufferedImage readImage(Path file) {
        return ImageDecoder.read(file);
    }

    /**
     * Decodes an image held in memory (read from any file system); {@code name} says where it came
     * from in the message when it is not a readable image.
     */
    public static Rgb decode(byte[] data, String name) {
        Rgb fast = FastPng.decode(data);
        if (fast != null) {
            return fast;
        }
        BufferedImage img = ImageDecoder.decode(data, name, ImageDecoder.MAX_PIXELS);
        return of(img, name);
    }

    public static Rgb of(BufferedImage img) {
        return of(img, null);
    }

    private static Rgb of(BufferedImage img, Object source) {
        int h = img.getHeight(), w = img.getWidth();
        if ((long) h * w > 1L << 28) {
            throw new UserException((source != null ? source + ": " : "") + "image of " + h + "x" + w + " is too large");
        }
        byte[] out = new byte[3 * h * w];
        int n = h * w;
        switch (img.getType()) {
            case BufferedImage.TYPE_3BYTE_BGR -> {
                byte[] src = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < n; i++) {
                    out[3 * i] = src[3 * i + 2];
                    out[3 * i + 1] = src[3 * i + 1];
                    out[3 * i + 2] = src[3 * i];
                }
            }
            case BufferedImage.TYPE_4BYTE_ABGR -> {
                byte[] src = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < n; i++) {
                    out[3 * i] = src[4 * i + 3];
                    out[3 * i + 1] = src[4 * i + 2];
                    out[3 * i + 2] = src[4 * i + 1];
                }
            }
            case BufferedImage.TYPE_BYTE_GRAY -> {
                byte[] src = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < n; i++) {
                    out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[i];
                }
            }
            case BufferedImage.TYPE_USHORT_GRAY -> {
                short[] src = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < n; i++) {
                    byte v = (byte) ((src[i] & 0xffff) >> 8);
                    out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v;
                }
            }
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> {
                int[] src = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
                unpack(src, out, 0, n);
            }
            default -> { // palette, grey+alpha, 16-bit colour, CMYK...: let the colour model convert
                int[] row = new int[w];
                for (int y = 0; y < h; y++) {
                    img.getRGB(0, y, w, 1, row, 0, w);
                    unpack(row, out, y * w, w);
                }
            }
        }
        return new Rgb(h, w, out);
    }

    private static void unpack(int[] argb, byte[] out, int at, int count) {
        for (int i = 0; i < count; i++) {
            int p = argb[i];
            int o = 3 * (at + i);
            out[o] = (byte) (p >> 16);
            out[o + 1] = (byte) (p >> 8);
            out[o + 2] = (byte) p;
        }
    }

    /** The image as a BufferedImage (TYPE_INT_RGB). */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (pixels[3 * i] & 0xff) << 16 | (pixels[3 * i + 1] & 0xff) << 8 | (pixels[3 * i + 2] & 0xff);
        }
        return img;
    }
}
