package dev.bisenet.export;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.util.UserException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the int8 calibration file: any text either parses into ranges an int8 export
 * can use (finite, min <= max) or is refused with a {@link UserException}.
 */
class CalibrationFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void calibration(byte[] data) {
        Calibration c;
        try {
            c = Calibration.fromJson(new String(data, StandardCharsets.UTF_8), "fuzz.json");
        } catch (UserException expected) {
            return; // a refused file is a correct answer
        }
        for (Calibration.Range r : c.ranges().values()) {
            if (!(r.min() <= r.max()) || !Float.isFinite(r.min()) || !Float.isFinite(r.max())) {
                throw new AssertionError("unusable range " + r);
            }
        }
        if (c.images() < 1) throw new AssertionError("images " + c.images());
    }
}
