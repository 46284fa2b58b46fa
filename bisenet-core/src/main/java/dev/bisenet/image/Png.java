package dev.bisenet.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * PNG bytes of an image, as the JDK's ImageIO writer encodes them: predict's files, the server's
 * answers and batch outputs are byte-for-byte the same because they all come from here.
 */
public final class Png {

    private Png() {}

    public static byte[] encode(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) {
                throw new IllegalStateException("no ImageIO PNG writer on this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a memory stream does not fail
        }
        return bytes.toByteArray();
    }
}
