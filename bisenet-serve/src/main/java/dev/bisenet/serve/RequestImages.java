package dev.bisenet.serve;

import dev.bisenet.image.Rgb;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image bytes from the network header first: the reader reports width and height from
 * the file's header, the size is checked against the pixel limit, and only then is a pixel
 * buffer allocated. A 100 KB PNG that claims 60000x60000 pixels is refused before ImageIO
 * allocates 14 GB for it.
 *
 * <p>Truncated files are refused too: ImageIO's JPEG reader fills a cut-off image with grey and
 * only says so through a warning, which is treated here as an error.
 *
 * <p>A stand-in for the shared header-first decoder being written for the core module; this
 * class is the only place the server decodes images, so swapping it is one change.
 */
final class RequestImages {

    /** The formats the server takes (ImageIO format names); others (TIFF, WBMP) are refused. */
    static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp", "gif");

    private RequestImages() {}

    /**
     * Decodes {@code bytes} into RGB, refusing anything over {@code maxPixels} before decoding.
     *
     * @throws ApiError 400 for bytes that are not a whole image, 413 for too many pixels, 415 for
     *     an unknown format
     */
    static Rgb decode(byte[] bytes, long maxPixels) {
        if (bytes.length == 0) {
            throw new ApiError(400, "the request body is empty: send the image file's bytes (PNG, JPEG or BMP)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ApiError(415, "the body is not an image this server reads (" + bytes.length
                        + " bytes, no PNG, JPEG, BMP or GIF signature): send the image file's bytes");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!FORMATS.contains(format)) {
                    throw new ApiError(415, "images in " + format + " format are not taken: send PNG, JPEG or BMP");
                }
                reader.setInput(in, true, true); // forward only, no metadata: nothing kept that is not pixels
                int width = reader.getWidth(0);   // from the header: no pixel is read yet
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new ApiError(400, "the image header gives a size of " + height + "x" + width + ": not an image");
                }
                long pixels = (long) width * height;
                if (pixels > maxPixels) {
                    throw new ApiError(413, "the image is " + height + "x" + width + " (" + pixels + " pixels), over the"
                            + " server's limit of " + maxPixels + " pixels (--max-pixels): send a smaller image");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ApiError(400, "the " + format + " image is corrupt or truncated (" + warnings.get(0) + ")");
                }
                return Rgb.of(image);
            } finally {
                reader.dispose();
            }
        } catch (IIOException e) {
            throw new ApiError(400, "the image is corrupt or truncated (" + rootMessage(e) + ")");
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiError a) throw a;
            // ImageIO's decoders throw unchecked exceptions on some malformed files
            // (IndexOutOfBounds, IllegalArgument, NegativeArraySize): all of them are bad input here.
            throw new ApiError(400, "the image cannot be decoded (" + rootMessage(e) + ")");
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        String m = c.getMessage();
        return m != null ? m : c.getClass().getSimpleName();
    }
}
