package dev.bisenet.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A scratch file for fuzz targets whose reader takes a path; deleted when the JVM exits. */
public final class FuzzFiles {

    private FuzzFiles() {}

    public static Path scratch(String name) {
        try {
            Path dir = Files.createTempDirectory("bisenet-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
