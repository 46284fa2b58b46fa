package dev.bisenet.video;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.util.UserException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for raw RGB input ({@code --input - --raw-size HxW}): the input's first line is the
 * size flag's text, the rest the stream. Any input either yields frames or is refused with a
 * {@link UserException}.
 */
class RawRgbFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void rawRgb(byte[] data) throws IOException {
        int nl = 0;
        while (nl < data.length && data[nl] != '\n') nl++;
        String sizeFlag = new String(data, 0, nl, StandardCharsets.UTF_8);
        int start = Math.min(nl + 1, data.length);
        try (RawRgbSource src = new RawRgbSource(new ByteArrayInputStream(data, start, data.length - start), "fuzz",
                size(sizeFlag)[0], size(sizeFlag)[1], FrameRate.DEFAULT, w -> { })) {
            while (src.next() != null) {
                // every whole frame is returned; a cut last frame is reported
            }
        } catch (UserException expected) {
            // a refused size is a correct answer
        }
    }

    private static int[] size(String text) {
        return FrameSources.parseSize(text);
    }
}
