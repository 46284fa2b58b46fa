package dev.bisenet.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bisenet.util.AtomicFiles;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The value range of every activation of one checkpoint's network, measured by a
 * {@link Calibrator} on sample images: what an int8 export turns into quantization scales and
 * zero points. Stored as a small JSON file so that exports can reuse it.
 *
 * <p>Tensors are named as in the float32 ONNX graph ({@code input}, {@code detail.S1.0.relu},
 * ...). The fingerprint is a hash of that graph's weights: a calibration is refused for another
 * checkpoint, whose activations would have other ranges.
 *
 * @param checkpoint the calibrated checkpoint's name, for messages
 * @param fingerprint {@link #fingerprint} of the calibrated network
 * @param method how ranges were chosen from the observed values ({@link RangeMethod#toString()})
 * @param images how many images were observed
 * @param ranges tensor name to range, in graph order
 */
public record Calibration(String checkpoint, String fingerprint, String method, int images, Map<String, Range> ranges) {

    /** The {@code format} value of the JSON files this class writes. */
    public static final String FORMAT = "bisenet-int8-calibration/1";

    /** A JSON calibration is a few kilobytes; anything this large is not one. */
    private static final long MAX_FILE_BYTES = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The range [min, max] a tensor is quantized over; finite, min <= max. */
    public record Range(float min, float max) {
        public Range {
            if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
                throw new IllegalArgumentException("a range needs finite min <= max, got [" + min + ", " + max + "]");
            }
        }
    }

    public Calibration {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(method, "method");
        if (images < 1) throw new IllegalArgumentException("a calibration needs at least one image, got " + images);
        ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    }

    /** The range of {@code tensor}, or null when it was not calibrated. */
    public Range range(String tensor) {
        return ranges.get(tensor);
    }

    /**
     * A hash of the graph's initializers (names and bytes): equal for two exports of the same
     * checkpoint, different when any weight differs.
     */
    static String fingerprint(OnnxGraph g) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (OnnxGraph.Initializer t : g.initializers()) {
                sha.update(t.name().getBytes(StandardCharsets.UTF_8));
                sha.update(t.raw());
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    // ---- JSON

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("checkpoint", checkpoint);
        root.put("fingerprint", fingerprint);
        root.put("method", method);
        root.put("images", images);
        ObjectNode r = root.putObject("ranges");
        ranges.forEach((name, range) -> r.putArray(name).add(range.min()).add(range.max()));
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings and numbers always serialises
        }
    }

    /** Writes {@link #toJson()} to {@code file} atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a file written by {@link #write}. */
    public static Calibration read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new UserException(file + ": no such calibration file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new UserException(file + ": " + Files.size(file) + " bytes is too large for a calibration file");
            }
            return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UserException(file + ": cannot read the calibration (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses {@link #toJson()}'s output.
     *
     * @param source the text's origin, for messages
     * @throws UserException naming {@code source} when the text is not a calibration
     */
    public static Calibration fromJson(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UserException(source + ": not a calibration file (invalid JSON: " + e.getOriginalMessage() + ")");
        }
        if (root == null || !FORMAT.equals(root.path("format").asText(null))) {
            throw new UserException(source + ": not a calibration file (expected \"format\": \"" + FORMAT
                    + "\"); make one with a Calibrator");
        }
        JsonNode r = root.path("ranges");
        if (!r.isObject() || !root.path("images").canConvertToInt() || !root.path("checkpoint").isTextual()
                || !root.path("fingerprint").isTextual() || !root.path("method").isTextual()) {
            throw new UserException(source + ": malformed calibration: needs checkpoint, fingerprint, method,"
                    + " images and ranges");
        }
        Map<String, Range> ranges = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
                throw new UserException(source + ": range of " + e.getKey() + " must be [min, max], got " + v);
            }
            try {
                ranges.put(e.getKey(), new Range((float) v.get(0).asDouble(), (float) v.get(1).asDouble()));
            } catch (IllegalArgumentException ex) {
                throw new UserException(source + ": range of " + e.getKey() + ": " + ex.getMessage());
            }
        }
        try {
            return new Calibration(root.get("checkpoint").asText(), root.get("fingerprint").asText(),
                    root.get("method").asText(), root.get("images").asInt(), ranges);
        } catch (IllegalArgumentException e) {
            throw new UserException(source + ": malformed calibration: " + e.getMessage());
        }
    }
}
