package dev.bisenet.spec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.util.UserException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target for the {@code bisenet.*} entries of an ONNX model's metadata_props: any values
 * either read or are refused with a {@link UserException}. The input is the values of the five
 * keys in order, separated by NUL bytes; a missing one is an absent key.
 */
class OnnxMetadataFuzzTest {

    private static final List<String> KEYS = List.of(OnnxMetadata.CLASSES, OnnxMetadata.PALETTE, OnnxMetadata.MEAN,
            OnnxMetadata.STD, OnnxMetadata.INPUT_RULE);

    @FuzzTest(maxDuration = "10m")
    void metadata(byte[] data) {
        String[] values = new String(data, StandardCharsets.UTF_8).split("\0", -1);
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < Math.min(values.length, KEYS.size()); i++) {
            if (!values[i].isEmpty()) props.put(KEYS.get(i), values[i]);
        }
        OnnxMetadata m;
        try {
            m = OnnxMetadata.fromProperties(props, "fuzz.onnx");
        } catch (UserException expected) {
            return; // refused metadata is a correct answer
        }
        m.toProperties(); // what was read can be written back
    }
}
