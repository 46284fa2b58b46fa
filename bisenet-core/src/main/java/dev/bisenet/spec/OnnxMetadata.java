package dev.bisenet.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bisenet.util.UserException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an exported model carries besides weights, so that prediction needs no flags: class
 * names, colour palette, normalisation and the input-size rule. Stored in ONNX
 * {@code metadata_props} under the {@code bisenet.*} keys as JSON; every field is optional (null
 * when absent).
 *
 * @param classes class names, index order ({@code bisenet.classes}: {@code ["road", ...]})
 * @param palette RGB colour per class, 0..255 ({@code bisenet.palette}: {@code [[128,64,128], ...]})
 * @param mean per-channel RGB mean on the 0..1 scale ({@code bisenet.mean}: {@code [0.3257, ...]})
 * @param std per-channel RGB std, positive ({@code bisenet.std})
 * @param inputRule how images are brought to multiples of 32, plain text such as {@code pad} or
 *     {@code resize} ({@code bisenet.input_rule}); interpreted by the caller
 */
public record OnnxMetadata(List<String> classes, int[][] palette, float[] mean, float[] std, String inputRule) {

    public static final String CLASSES = "bisenet.classes";
    public static final String PALETTE = "bisenet.palette";
    public static final String MEAN = "bisenet.mean";
    public static final String STD = "bisenet.std";
    public static final String INPUT_RULE = "bisenet.input_rule";

    private static final ObjectMapper JSON = new ObjectMapper();

    public OnnxMetadata {
        classes = classes == null ? null : List.copyOf(classes);
        if (palette != null) {
            for (int[] rgb : palette) {
                if (rgb.length != 3 || !inByte(rgb[0]) || !inByte(rgb[1]) || !inByte(rgb[2])) {
                    throw new IllegalArgumentException("palette entries must be 3 values in 0..255");
                }
            }
        }
        if (mean != null && mean.length != 3) throw new IllegalArgumentException("mean needs 3 values (RGB)");
        if (std != null && (std.length != 3 || !(std[0] > 0 && std[1] > 0 && std[2] > 0))) {
            throw new IllegalArgumentException("std needs 3 positive values (RGB)");
        }
    }

    public static OnnxMetadata empty() {
        return new OnnxMetadata(null, null, null, null, null);
    }

    /** The {@code bisenet.*} metadata_props entries of the fields that are set. */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            if (classes != null) m.put(CLASSES, JSON.writeValueAsString(classes));
            if (palette != null) m.put(PALETTE, JSON.writeValueAsString(palette));
            if (mean != null) m.put(MEAN, JSON.writeValueAsString(mean));
            if (std != null) m.put(STD, JSON.writeValueAsString(std));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // plain lists and arrays always serialise
        }
        if (inputRule != null) m.put(INPUT_RULE, inputRule);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Reads the {@code bisenet.*} entries of a model's metadata; other keys are ignored.
     *
     * @param source the model's name, for messages
     * @throws UserException when a value is present but malformed
     */
    public static OnnxMetadata fromProperties(Map<String, String> props, String source) {
        List<String> classes = null;
        int[][] palette = null;
        JsonNode c = parse(props, CLASSES, source);
        if (c != null) {
            classes = new ArrayList<>();
            for (JsonNode n : array(c, CLASSES, source)) {
                if (!n.isTextual()) throw bad(source, CLASSES, "class names must be strings");
                classes.add(n.asText());
            }
        }
        JsonNode p = parse(props, PALETTE, source);
        if (p != null) {
            ArrayNode a = array(p, PALETTE, source);
            palette = new int[a.size()][];
            for (int i = 0; i < a.size(); i++) {
                palette[i] = ints(a.get(i), PALETTE, source);
            }
        }
        try {
            return new OnnxMetadata(classes, palette, floats(parse(props, MEAN, source), MEAN, source),
                    floats(parse(props, STD, source), STD, source), props.get(INPUT_RULE));
        } catch (IllegalArgumentException e) {
            throw new UserException(source + ": malformed bisenet metadata: " + e.getMessage());
        }
    }

    private static JsonNode parse(Map<String, String> props, String key, String source) {
        String v = props.get(key);
        if (v == null) return null;
        try {
            return JSON.readTree(v);
        } catch (JsonProcessingException e) {
            throw bad(source, key, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static ArrayNode array(JsonNode n, String key, String source) {
        if (!(n instanceof ArrayNode a)) throw bad(source, key, "expected a JSON array, got " + n);
        return a;
    }

    private static int[] ints(JsonNode n, String key, String source) {
        ArrayNode a = array(n, key, source);
        if (a.size() != 3) throw bad(source, key, "expected [r, g, b] entries, got " + n);
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            if (!a.get(i).canConvertToInt() || !inByte(a.get(i).asInt())) {
                throw bad(source, key, "colour components must be integers 0..255, got " + n);
            }
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static float[] floats(JsonNode n, String key, String source) {
        if (n == null) return null;
        ArrayNode a = array(n, key, source);
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).isNumber()) throw bad(source, key, "expected numbers, got " + n);
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    private static UserException bad(String source, String key, String what) {
        return new UserException(source + ": metadata " + key + " is malformed: " + what);
    }

    private static boolean inByte(int v) {
        return v >= 0 && v <= 255;
    }
}
