package dev.bisenet.spec;

import dev.bisenet.util.FileNames;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bisenet.util.AtomicFiles;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything about a model that a bare state_dict cannot hold, in a JSON file beside the
 * {@code .pth} ({@code model.pth} -> {@code model.json}): class names, palette, normalisation,
 * the input-size rule, the architecture and the training configuration. {@code predict} and
 * {@code eval} use it when no flag overrides it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Sidecar(
        String format,
        String preset,
        Integer numClasses,
        String variant,
        Integer headWidth,
        List<String> classes,
        List<int[]> palette,
        float[] mean,
        float[] std,
        String inputRule,
        Long iteration,
        Map<String, Object> training,
        Map<String, Object> metrics) {

    public static final String FORMAT = "bisenetv2-sidecar/1";
    /** The input rule this project applies; written so that other tools can match it. */
    public static final String PAD_TO_32 =
            "normalise, zero-pad bottom/right to multiples of 32, run, crop logits back (no resampling)";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** {@code dir/name.pth} -> {@code dir/name.json}. */
    public static Path pathFor(Path checkpoint) {
        return checkpoint.resolveSibling(FileNames.stem(checkpoint.getFileName().toString()) + ".json");
    }

    /** The sidecar beside {@code checkpoint}, or null when there is none. */
    public static Sidecar readFor(Path checkpoint) {
        Path p = pathFor(checkpoint);
        return Files.isRegularFile(p) ? read(p) : null;
    }

    public static Sidecar read(Path file) {
        Sidecar s;
        try {
            s = JSON.readValue(file.toFile(), Sidecar.class);
        } catch (IOException e) {
            throw new UserException(file + ": not a readable model sidecar (" + firstLine(e.getMessage())
                    + "); fix or delete it, or pass --preset/--mean/--std");
        }
        String wrong = s == null ? "empty" : s.problem();
        if (wrong != null) {
            throw new UserException(file + ": not a usable model sidecar (" + wrong
                    + "); fix or delete it, or pass --preset/--mean/--std");
        }
        return s;
    }

    /** What the readers of names, palette and normalisation could not use (found by SidecarFuzzTest), or null. */
    private String problem() {
        if (classes != null && classes.contains(null)) return "a class name is null";
        if (palette != null) {
            for (int[] rgb : palette) {
                if (rgb == null || rgb.length != 3) return "a palette entry is not [r, g, b]";
                for (int c : rgb) if (c < 0 || c > 255) return "palette value " + c + " is outside 0..255";
            }
        }
        if (mean != null && (mean.length != 3 || !Float.isFinite(mean[0] + mean[1] + mean[2]))) {
            return "mean needs 3 finite values (r, g, b)";
        }
        if (std != null && (std.length != 3 || !(std[0] > 0 && std[1] > 0 && std[2] > 0)
                || !Float.isFinite(std[0] + std[1] + std[2]))) {
            return "std needs 3 positive finite values (r, g, b)";
        }
        if (numClasses != null && numClasses < 1) return "numClasses " + numClasses + " is not positive";
        return null;
    }

    /** This sidecar with {@code metrics} in place of its own. */
    public Sidecar withMetrics(Map<String, Object> metrics) {
        return new Sidecar(format, preset, numClasses, variant, headWidth, classes, palette, mean, std, inputRule,
                iteration, training, metrics);
    }

    /** Writes the sidecar for {@code checkpoint}, atomically. */
    public void writeFor(Path checkpoint) throws IOException {
        AtomicFiles.write(pathFor(checkpoint), JSON.writeValueAsBytes(this));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
