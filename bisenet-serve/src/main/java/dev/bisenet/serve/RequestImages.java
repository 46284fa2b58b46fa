package dev.bisenet.serve;

import dev.bisenet.image.ImageDecoder;
import dev.bisenet.image.Rgb;
import java.util.Set;

/**
 * Request bodies to images, through the project's one header-first decoder
 * ({@link ImageDecoder}): width and height come from the file's header and are checked against
 * {@code --max-pixels} before any pixel buffer exists, so a 100 KB PNG that claims 60000x60000
 * pixels is refused before ImageIO would allocate 14 GB. Here the decoder's reasons become HTTP
 * statuses.
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
        try {
            return ImageDecoder.decodeRgb(bytes, "the request body", maxPixels, FORMATS);
        } catch (ImageDecoder.Refused r) {
            throw switch (r.reason()) {
                case NOT_AN_IMAGE -> new ApiError(415, "the body is not an image this server reads (" + bytes.length
                        + " bytes, no PNG, JPEG, BMP or GIF signature): send the image file's bytes");
                case UNSUPPORTED_FORMAT -> new ApiError(415, r.getMessage());
                case TOO_LARGE -> new ApiError(413, r.getMessage() + " (the server's --max-pixels is " + maxPixels + ")");
                case CORRUPT -> new ApiError(400, r.getMessage());
            };
        }
    }
}
