package dev.bisenet.image;

import dev.bisenet.util.UserException;
import java.util.Locale;

/** The one parser of sizes written {@code HEIGHTxWIDTH}, as every flag of the project takes them. */
public final class Sizes {

    /** Larger sides are refused: 65536 pixels covers any camera and keeps H*W*3 inside an int. */
    public static final int MAX_SIDE = 1 << 15;

    private Sizes() {}

    /**
     * {@code "512x1024"} -> {@code {512, 1024}} (height, width).
     *
     * @param what the flag or field, for the message ({@code --size})
     * @throws UserException when the text is not two positive integers up to {@link #MAX_SIDE}
     */
    public static int[] parse(String text, String what) {
        String[] f = text.trim().toLowerCase(Locale.ROOT).split("x", -1);
        if (f.length == 2) {
            try {
                long h = Long.parseLong(f[0].trim());
                long w = Long.parseLong(f[1].trim());
                if (h >= 1 && w >= 1 && h <= MAX_SIDE && w <= MAX_SIDE) {
                    return new int[] {(int) h, (int) w};
                }
                throw new UserException(what + " '" + text + "': height and width must be 1.." + MAX_SIDE);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new UserException(what + " '" + text + "' is not HEIGHTxWIDTH (e.g. 512x1024)");
    }
}
