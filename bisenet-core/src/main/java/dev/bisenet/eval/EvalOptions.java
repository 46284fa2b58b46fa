package dev.bisenet.eval;

import dev.bisenet.util.UserException;

/**
 * How to evaluate: protocol, input scale, sliding-crop size and the ignore label. Validated on
 * construction.
 *
 * @param mode the protocol
 * @param scale the input is resized by this factor before the protocol runs and the scores are
 *     resized back to the image size; 1 runs at native resolution. With {@link Mode#MSF} it
 *     multiplies every scale of the set; with {@link Mode#SSC} the crops slide over the resized
 *     image
 * @param cropHeight sliding-crop height for {@link Mode#SSC} (normally the training crop); 0
 *     when unset, which SSC refuses when it runs
 * @param cropWidth sliding-crop width for {@link Mode#SSC}; 0 when unused
 * @param ignoreIndex ground-truth value that is never counted (255 for Cityscapes, 11 for
 *     CamVid)
 */
public record EvalOptions(Mode mode, double scale, int cropHeight, int cropWidth,
        int ignoreIndex) {

    /** Largest accepted scale: 16x already makes a 1024x2048 image 8 Gpixel of logits. */
    public static final double MAX_SCALE = 16;

    public EvalOptions {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (!(scale > 0 && scale <= MAX_SCALE)) {
            throw new UserException("scale must be in (0, " + (int) MAX_SCALE + "], got " + scale);
        }
        if (cropHeight < 0 || cropWidth < 0) {
            throw new UserException("crop size must be positive, got " + cropHeight + "x"
                    + cropWidth + " (height x width)");
        }
    }

    /** Whether a sliding-crop size is set (required by {@link Mode#SSC}). */
    public boolean hasCrop() {
        return cropHeight > 0 && cropWidth > 0;
    }

    /** Options for {@code mode} at scale 1 with no crop (set one with {@link #withCrop} for SSC). */
    public static EvalOptions of(Mode mode, int ignoreIndex) {
        return new EvalOptions(mode, 1.0, 0, 0, ignoreIndex);
    }

    /** A copy with another scale. */
    public EvalOptions withScale(double newScale) {
        return new EvalOptions(mode, newScale, cropHeight, cropWidth, ignoreIndex);
    }

    /** A copy with another sliding-crop size (height x width). */
    public EvalOptions withCrop(int height, int width) {
        return new EvalOptions(mode, scale, height, width, ignoreIndex);
    }
}
