package dev.bisenet.export;

import dev.bisenet.util.UserException;
import java.util.Locale;

/**
 * How a tensor's quantization range is chosen from the values seen during calibration.
 *
 * @param kind the rule
 * @param percentile for {@link Kind#PERCENTILE}: the share of values (in percent, such as 99.99)
 *     that the range covers, the rest split between both tails; ignored otherwise
 */
public record RangeMethod(Kind kind, double percentile) {

    /** The rules. */
    public enum Kind {
        /** The smallest and largest value seen: nothing is clipped, rare outliers widen the steps. */
        MIN_MAX,
        /** Clips the given share of the most extreme values. */
        PERCENTILE,
        /**
         * The range that minimises the expected squared error (rounding inside the range plus
         * clipping outside it) over the observed distribution.
         */
        MSE
    }

    public RangeMethod {
        if (kind == Kind.PERCENTILE && !(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        }
        if (kind != Kind.PERCENTILE) percentile = 0;
    }

    public static RangeMethod minMax() {
        return new RangeMethod(Kind.MIN_MAX, 0);
    }

    public static RangeMethod percentile(double p) {
        return new RangeMethod(Kind.PERCENTILE, p);
    }

    public static RangeMethod mse() {
        return new RangeMethod(Kind.MSE, 0);
    }

    /** {@code minmax}, {@code mse} or {@code percentile:99.99}. */
    @Override
    public String toString() {
        return switch (kind) {
            case MIN_MAX -> "minmax";
            case MSE -> "mse";
            case PERCENTILE -> "percentile:" + percentile;
        };
    }

    /** Parses {@link #toString()}'s forms; a user error lists them. */
    public static RangeMethod parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("minmax")) return minMax();
            if (t.equals("mse")) return mse();
            if (t.startsWith("percentile:")) return percentile(Double.parseDouble(t.substring("percentile:".length())));
        } catch (IllegalArgumentException e) {
            throw new UserException("bad range method '" + text + "': " + e.getMessage());
        }
        throw new UserException("unknown range method '" + text + "'; use minmax, mse or percentile:P (such as percentile:99.99)");
    }
}
