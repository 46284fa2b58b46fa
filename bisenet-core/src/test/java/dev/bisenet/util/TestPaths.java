package dev.bisenet.util;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests find the repository and the data beside it. Maven runs each module's tests in the
 * module's folder, so paths are resolved from the repository root, not the working directory.
 */
public final class TestPaths {

    private TestPaths() {}

    /** The repository root: {@code -Dbisenet.repo} (set by the build), else the first parent with {@code .ci/}. */
    public static Path repo() {
        String prop = System.getProperty("bisenet.repo");
        if (prop != null && Files.isDirectory(Path.of(prop, ".ci"))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(".ci"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no .ci/ above " + Path.of("").toAbsolutePath() + ")");
    }

    /** {@code ../shared/<rest>} beside the repository. */
    public static Path shared(String rest) {
        return repo().resolveSibling("shared").resolve(rest);
    }

    /** CamVid: {@code $BISENET_CAMVID} or {@code ../shared/data/camvid}; null when absent. */
    public static Path camvid() {
        String env = System.getenv("BISENET_CAMVID");
        for (Path p : new Path[] {env != null ? Path.of(env) : null, shared("data/camvid")}) {
            if (p != null && Files.isRegularFile(p.resolve("train.txt"))) return p;
        }
        return null;
    }

    /** The shipped CamVid model, or null when the checkout lacks it. */
    public static Path shippedModel() {
        Path p = repo().resolve("models/bisenetv2_camvid.pth");
        return Files.isRegularFile(p) ? p : null;
    }
}
