package dev.bisenet.infer;

import dev.bisenet.image.Rgb;
import dev.bisenet.util.UserException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The files {@code predict} writes per image, {@code --write labels,color,overlay}: their names
 * are a contract ({@code <stem>.png}, {@code <stem>_color.png}, {@code <stem>_overlay.png}) and
 * their bytes are {@link Segmentation}'s, so every way of running predict writes the same files.
 */
public enum PredictOutput {
    LABELS(""),
    COLOR("_color"),
    OVERLAY("_overlay");

    private final String suffix;

    PredictOutput(String suffix) {
        this.suffix = suffix;
    }

    /** The output file's name for an input of this stem. */
    public String fileName(String stem) {
        return stem + suffix + ".png";
    }

    /** The PNG bytes of this output. */
    public byte[] png(Segmentation s, Rgb image, float alpha) {
        return switch (this) {
            case LABELS -> s.labelsPng();
            case COLOR -> s.colorPng();
            case OVERLAY -> s.overlayPng(image, alpha);
        };
    }

    /** The flag's name of this output. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** All three, predict's default. */
    public static Set<PredictOutput> all() {
        return EnumSet.allOf(PredictOutput.class);
    }

    /** Parses {@code --write}: a comma-separated list of labels, color, overlay. */
    public static Set<PredictOutput> parse(String list) {
        EnumSet<PredictOutput> out = EnumSet.noneOf(PredictOutput.class);
        for (String part : list.split(",")) {
            String p = part.strip().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            PredictOutput o = switch (p) {
                case "labels" -> LABELS;
                case "color", "colour" -> COLOR;
                case "overlay" -> OVERLAY;
                default -> throw new UserException("--write " + list + ": '" + p
                        + "' is not an output; give some of labels,color,overlay");
            };
            out.add(o);
        }
        if (out.isEmpty()) {
            throw new UserException("--write is empty; give some of labels,color,overlay");
        }
        return out;
    }
}
