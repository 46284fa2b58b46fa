package dev.bisenet.eval;

import dev.bisenet.util.UserException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The evaluation protocols: how one image becomes a prediction. */
public enum Mode {

    /** Single scale: the whole image at its own resolution (padded to multiples of 32). */
    SS("single scale, whole image padded to a multiple of 32"),

    /** Single scale, sliding crops of the training crop size averaged over their overlaps. */
    SSC("single scale, sliding crops (stride 2/3 of the crop), softmax averaged over overlaps"),

    /** Multi-scale and flip: softmax summed over scales 0.5..1.75 and their mirror images. */
    MSF("multi-scale {0.5, 0.75, 1, 1.25, 1.5, 1.75} with horizontal flip, softmax summed");

    private final String description;

    Mode(String description) {
        this.description = description;
    }

    /** One line saying what the protocol does, for reports. */
    public String description() {
        return description;
    }

    /** The lower-case name used on the command line and in reports ({@code ss}, ...). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a mode name, case-insensitively; a user error lists the valid names. */
    public static Mode parse(String text) {
        for (Mode m : values()) {
            if (m.name().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new UserException("unknown evaluation mode '" + text + "'; use one of "
                + Arrays.stream(values()).map(Mode::cliName).collect(Collectors.joining(", ")));
    }
}
