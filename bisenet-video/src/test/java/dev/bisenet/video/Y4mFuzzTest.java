package dev.bisenet.video;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.util.UserException;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzz target for the y4m reader ({@code --input -}): any stream either yields frames (corrupt
 * ones reported and skipped) or is refused with a {@link UserException}; never another exception,
 * an OutOfMemoryError or a hang.
 */
class Y4mFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void y4m(byte[] data) throws IOException {
        Y4mSource src;
        try {
            src = new Y4mSource(new ByteArrayInputStream(data), "fuzz.y4m", w -> { });
        } catch (UserException expected) {
            return; // a refused header is a correct answer
        }
        try (src) {
            VideoInfo info = src.info();
            for (Frame f = src.next(); f != null; f = src.next()) {
                if (f.height() != info.height() || f.width() != info.width()) {
                    throw new AssertionError("frame of " + f.height() + "x" + f.width() + " in a " + info + " stream");
                }
            }
        }
    }
}
