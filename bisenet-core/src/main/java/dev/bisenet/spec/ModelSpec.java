package dev.bisenet.spec;

import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.Tensor;
import dev.bisenet.util.UserException;

/**
 * What a network looks like, as far as building it goes: class count, variant, head width and
 * whether it has booster heads. Read off a checkpoint with {@link #detect}.
 */
public record ModelSpec(int numClasses, Variant variant, int headWidth, boolean boosters) {

    public ModelSpec {
        if (numClasses < 1) {
            throw new IllegalArgumentException("class count must be positive, got " + numClasses);
        }
        if (headWidth < 1) {
            throw new IllegalArgumentException("head width must be positive, got " + headWidth);
        }
    }

    /** The reference layout for {@code numClasses} classes: base variant, 1024-wide head. */
    public static ModelSpec reference(int numClasses, boolean boosters) {
        return new ModelSpec(numClasses, Variant.BASE, Variant.BASE.defaultHeadWidth(), boosters);
    }

    /** The same network with or without booster heads. */
    public ModelSpec withBoosters(boolean b) {
        return new ModelSpec(numClasses, variant, headWidth, b);
    }

    /**
     * Reads the architecture off a state dict (without a {@code module.} prefix), after refusing
     * the two older layouts of the reference implementation by their keys.
     *
     * @param source the file name, for messages
     */
    public static ModelSpec detect(StateDict sd, String source) {
        if (sd.contains("head.conv_out.weight")) {
            throw new UserException(source + ": this is a 2020-layout BiSeNetV2 checkpoint of the reference"
                    + " implementation (single head.conv_out.weight, bilinear align_corners=True upsampling);"
                    + " only the July 2021 layout and later are supported: use a newer release checkpoint");
        }
        Tensor classifier = sd.get("head.conv_out.1.weight");
        if (sd.contains("head.conv_out.0.weight") || sd.keys().stream().anyMatch(k -> k.matches("aux[0-9_]+\\.conv_out\\.0\\.conv\\..*"))
                || (classifier == null && sd.contains("head.conv_out.0.proj.weight"))) {
            throw new UserException(source + ": this is a June-2021-layout BiSeNetV2 checkpoint of the reference"
                    + " implementation (PixelShuffle heads); only the July 2021 layout and later are supported:"
                    + " use a newer release checkpoint");
        }
        Tensor stem = sd.get("detail.S1.0.conv.weight");
        Tensor headConv = sd.get("head.conv.conv.weight");
        if (classifier == null || stem == null || headConv == null) {
            throw new UserException(source + ": not a BiSeNetV2 checkpoint (no head.conv_out.1.weight,"
                    + " detail.S1.0.conv.weight or head.conv.conv.weight; it has " + sd.size() + " keys"
                    + (sd.size() > 0 ? ", the first " + sd.keys().iterator().next() : "") + ")");
        }
        long[] cs = classifier.shape();
        if (cs.length != 4 || cs[0] < 1) {
            throw new UserException(source + ": head.conv_out.1.weight has shape " + Tensor.shapeString(cs)
                    + ", expected (classes, width, 1, 1)");
        }
        long width = stem.shape()[0];
        Variant variant = null;
        for (Variant v : Variant.values()) {
            if (width == v.width(64)) {
                variant = v;
            }
        }
        if (variant == null) {
            throw new UserException(source + ": detail.S1.0.conv.weight has " + width
                    + " output channels; BiSeNetV2 has 64 (base) or 128 (large)");
        }
        int ge = 0;
        while (sd.contains("segment.S3." + ge + ".conv1.conv.weight")) {
            ge++;
        }
        if (ge != 1 + variant.depth()) {
            throw new UserException(source + ": segment.S3 has " + ge + " GE layers; the " + variant.name().toLowerCase()
                    + " variant has " + (1 + variant.depth()));
        }
        boolean boosters = sd.contains("aux2.conv.conv.weight");
        return new ModelSpec(Math.toIntExact(cs[0]), variant, Math.toIntExact(headConv.shape()[0]), boosters);
    }
}
