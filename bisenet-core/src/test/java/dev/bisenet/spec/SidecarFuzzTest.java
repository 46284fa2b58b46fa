package dev.bisenet.spec;

import dev.bisenet.util.FuzzFiles;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target for the JSON sidecar beside a checkpoint: any bytes either read as a sidecar that
 * its users can take as it is, or are refused with a {@link UserException}. The users
 * ({@code ModelInfo.fromSidecar}, {@code ModelInfo.onnxMetadataOf}) index palette rows as
 * r, g, b and take mean and std as three values each, so a sidecar that reads must hold them so;
 * {@link #checkUsable} states that and a violation is a finding like any other exception.
 */
class SidecarFuzzTest {

    private static final Path FILE = FuzzFiles.scratch("model.json");

    @FuzzTest(maxDuration = "10m")
    void sidecar(byte[] data) throws IOException {
        Files.write(FILE, data);
        Sidecar side;
        try {
            side = Sidecar.read(FILE);
        } catch (UserException expected) {
            return; // a refused sidecar is a correct answer
        }
        checkUsable(side);
    }

    private static void checkUsable(Sidecar s) {
        if (s == null) throw new AssertionError("read returned null");
        if (s.classes() != null && s.classes().contains(null)) throw new AssertionError("a null class name");
        if (s.palette() != null) {
            for (int[] rgb : s.palette()) {
                if (rgb == null || rgb.length != 3) throw new AssertionError("a palette row that is not r, g, b");
                for (int c : rgb) if (c < 0 || c > 255) throw new AssertionError("a colour component " + c);
            }
        }
        for (float[] v : new float[][] {s.mean(), s.std()}) {
            if (v != null && v.length != 3) throw new AssertionError("mean or std of " + v.length + " values");
        }
        if (s.std() != null) {
            for (float v : s.std()) if (!(v > 0) || !Float.isFinite(v)) throw new AssertionError("std " + v);
        }
        if (s.mean() != null) {
            for (float v : s.mean()) if (!Float.isFinite(v)) throw new AssertionError("mean " + v);
        }
        if (s.numClasses() != null && s.numClasses() < 1) throw new AssertionError("numClasses " + s.numClasses());
    }
}
