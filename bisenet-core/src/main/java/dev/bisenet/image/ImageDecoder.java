package dev.bisenet.image;

import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files header first: reads the width and height, refuses an image whose pixels
 * would not fit the limits before any raster is allocated, then decodes. {@code ImageIO.read}
 * allocates the whole raster from the header's numbers, so a 100-byte PNG claiming 60000x60000
 * pixels would ask for gigabytes before any size check could run.
 *
 * <p>Every failure is a {@link Refused} (a {@link UserException}) naming the source and saying
 * why: not an image, a format not taken, too large, corrupt or truncated data. The server maps
 * the reason to an HTTP status; files and datasets just report the message.
 */
public final class ImageDecoder {

    /** Why an image was refused. */
    public enum Reason { NOT_AN_IMAGE, UNSUPPORTED_FORMAT, TOO_LARGE, CORRUPT }

    /** A refused image, with the reason. */
    public static final class Refused extends UserException {
        private final Reason reason;

        Refused(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /**
     * Most pixels an image may have: 2^25 (33.5 megapixels, e.g. 8192x4096; 8K UHD is 33.2).
     * Larger than any dataset image this project meets (Cityscapes: 2 megapixels) and than a
     * network input fits in memory; with it a decoded 8-bit RGB image stays under 100 MB.
     */
    public static final long MAX_PIXELS = 1L << 25;
    /** Most bytes the decoded raster may take: an 8-bit RGBA image of {@link #MAX_PIXELS}. */
    public static final long MAX_RASTER_BYTES = 4 * MAX_PIXELS;

    private ImageDecoder() {}

    /** Decodes {@code file} within the default limits. */
    public static BufferedImage read(Path file) {
        return read(file, MAX_PIXELS);
    }

    /** Decodes {@code file}, refusing images of more than {@code maxPixels} before decoding them. */
    public static BufferedImage read(Path file, long maxPixels) {
        if (!Files.isRegularFile(file)) {
            throw new Refused(Reason.NOT_AN_IMAGE, file + ": no such image file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new Refused(Reason.NOT_AN_IMAGE, file + ": cannot open the image");
            }
            return decode(in, file.toString(), maxPixels, null);
        } catch (IOException e) {
            throw new Refused(Reason.CORRUPT, file + ": cannot read the image (" + UserException.rootMessage(e) + ")");
        }
    }

    /**
     * Decodes an image held in memory (an upload, say), refusing images of more than
     * {@code maxPixels} before decoding them.
     *
     * @param name names the image in messages
     */
    public static BufferedImage decode(byte[] bytes, String name, long maxPixels) {
        return decode(bytes, name, maxPixels, null);
    }

    /**
     * Decodes an image held in memory into RGB, as {@link #decode(byte[], String, long, Set)} with
     * {@link Rgb#of}, but the common PNGs (8-bit, not interlaced) through {@link FastPng}: ImageIO's
     * PNG filters were half of a server's CPU outside the network. Sizes over {@code maxPixels}
     * are refused from the header either way.
     */
    public static Rgb decodeRgb(byte[] bytes, String name, long maxPixels, Set<String> formats) {
        if (formats == null || formats.contains("png")) {
            Rgb fast = FastPng.decode(bytes, maxPixels);
            if (fast != null) {
                return fast;
            }
        }
        return Rgb.of(decode(bytes, name, maxPixels, formats));
    }

    /**
     * As {@link #decode(byte[], String, long)}, taking only the given ImageIO format names
     * ({@code png}, {@code jpeg}, ...); null takes every format ImageIO reads.
     */
    public static BufferedImage decode(byte[] bytes, String name, long maxPixels, Set<String> formats) {
        if (bytes.length == 0) {
            throw new Refused(Reason.NOT_AN_IMAGE, name + " is empty: no image bytes");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            return decode(in, name, maxPixels, formats);
        } catch (IOException e) {
            throw new Refused(Reason.CORRUPT, name + ": cannot read the image (" + UserException.rootMessage(e) + ")");
        }
    }

    private static BufferedImage decode(ImageInputStream in, String name, long maxPixels, Set<String> formats) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new Refused(Reason.NOT_AN_IMAGE, name + ": not an image format this reader knows (PNG, JPEG, BMP, GIF)");
        }
        ImageReader reader = readers.next();
        try {
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (formats != null && !formats.contains(format)) {
                throw new Refused(Reason.UNSUPPORTED_FORMAT, name + ": images in " + format + " format are not taken;"
                        + " send " + String.join(", ", new TreeSet<>(formats)).toUpperCase(Locale.ROOT));
            }
            reader.setInput(in, true, true); // first image only, no metadata
            int w = reader.getWidth(0); // from the header: no pixel is read yet
            int h = reader.getHeight(0);
            if (w < 1 || h < 1) {
                throw new Refused(Reason.CORRUPT, name + ": corrupt or truncated image: its header gives a size of " + h + "x" + w
                        + " (height x width)");
            }
            long pixels = (long) w * h;
            // the pixel count first: the bit depth may need the reader to go past the header
            if (pixels > maxPixels || pixels * bitsPerPixel(reader) / 8 > MAX_RASTER_BYTES) {
                throw new Refused(Reason.TOO_LARGE, name + ": image of " + h + "x" + w + " (height x width) is too large to decode ("
                        + pixels + " pixels; at most " + maxPixels + " pixels and "
                        + (MAX_RASTER_BYTES >> 20) + " MB decoded); scale it down first");
            }
            // ImageIO's JPEG reader fills a cut-off image with grey and says so only in a warning
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
            BufferedImage img = reader.read(0);
            if (!warnings.isEmpty()) {
                throw new Refused(Reason.CORRUPT, name + ": corrupt or truncated " + format + " image (" + warnings.get(0) + ")");
            }
            if (img == null || img.getWidth() != w || img.getHeight() != h) {
                throw new Refused(Reason.CORRUPT, name + ": corrupt image (decoded size differs from its header)");
            }
            return img;
        } catch (IIOException e) {
            throw new Refused(Reason.CORRUPT, name + ": corrupt or truncated image (" + UserException.rootMessage(e) + ")");
        } catch (UserException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO's decoders throw unchecked exceptions on some malformed files (an index past
            // a table, a negative length): all of them mean the file is damaged
            throw new Refused(Reason.CORRUPT, name + ": corrupt or truncated image that cannot be decoded (" + UserException.rootMessage(e) + ")");
        } finally {
            reader.dispose();
        }
    }

    /** Bits per pixel of the raster the reader will allocate; 64 (16-bit RGBA) when it cannot say. */
    private static int bitsPerPixel(ImageReader reader) throws IOException {
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        if (type == null) return 64;
        int bits = 0;
        for (int b = 0; b < type.getNumBands(); b++) {
            bits += type.getBitsPerBand(b);
        }
        return Math.max(bits, type.getColorModel().getPixelSize());
    }
}
