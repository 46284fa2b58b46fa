package dev.bisenet.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.image.Rgb;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target for the label and image readers (both decode through {@code ImageDecoder}): any
 * file either reads or is refused with a {@link UserException}; never another exception, an
 * OutOfMemoryError (a header asking for a huge raster) or a hang. Seeds: small PNG (grey 8 and
 * 16 bit, palette, binary, RGB, RGBA), JPEG, BMP and GIF files.
 */
class LabelImageFuzzTest {

    private static final Path FILE = scratch();

    @FuzzTest(maxDuration = "10m")
    void labelAndImage(byte[] data) throws IOException {
        Files.write(FILE, data);
        int[] size = new int[2];
        try {
            byte[] labels = Labels.read(FILE, Preset.CITYSCAPES.spec(), size);
            if (labels.length != size[0] * size[1]) throw new AssertionError(labels.length + " labels for " + size[0] + "x" + size[1]);
        } catch (UserException expected) {
            // a refused label is a correct answer
        }
        try {
            Rgb.read(FILE);
        } catch (UserException expected) {
            // a refused image is a correct answer
        }
        try {
            Rgb.decode(data, "fuzz bytes"); // the in-memory path (Spark, Hadoop file systems)
        } catch (UserException expected) {
            // a refused image is a correct answer
        }
    }

    private static Path scratch() {
        try {
            Path dir = Files.createTempDirectory("bisenet-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("fuzz.img");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
