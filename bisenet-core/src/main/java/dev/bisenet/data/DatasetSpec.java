package dev.bisenet.data;

import dev.bisenet.spec.ModelInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * What differs between segmentation datasets as far as reading labels goes: class names and
 * colours, the raw-value-to-class mapping, the ignore label and the normalisation.
 *
 * @param mapping raw label value (0..255) to class index, or {@code ignore}
 */
public record DatasetSpec(String name, List<String> classNames, int[] palette, int[] mapping, int ignore,
        float[] mean, float[] std) {

    public DatasetSpec {
        classNames = List.copyOf(classNames);
        if (mapping.length != 256) {
            throw new IllegalArgumentException("a label mapping has 256 entries, got " + mapping.length);
        }
        if (classNames.size() > 255) {
            throw new IllegalArgumentException("at most 255 classes fit 8-bit labels, got " + classNames.size());
        }
    }

    public int numClasses() {
        return classNames.size();
    }

    /**
     * A custom dataset whose label PNGs already hold class indices 0..n-1, with {@code ignore}
     * for unlabelled pixels; ImageNet normalisation unless given.
     */
    public static DatasetSpec custom(int numClasses, int ignore, List<String> names, float[] mean, float[] std) {
        if (numClasses < 1 || numClasses > 255) {
            throw new dev.bisenet.util.UserException("--num-classes must be in 1..255, got " + numClasses);
        }
        if (ignore >= 0 && ignore < numClasses) {
            throw new dev.bisenet.util.UserException("the ignore value " + ignore + " is also a class index (0.."
                    + (numClasses - 1) + ")");
        }
        List<String> n = names;
        if (n == null) {
            n = new ArrayList<>();
            for (int i = 0; i < numClasses; i++) n.add("class" + i);
        }
        int[] mapping = new int[256];
        for (int v = 0; v < 256; v++) {
            mapping[v] = v < numClasses ? v : v == ignore ? Preset.IGNORE : -1; // -1: an invalid label value
        }
        return new DatasetSpec("custom", n, ModelInfo.generatedPalette(numClasses), mapping, Preset.IGNORE,
                mean != null ? mean : ModelInfo.IMAGENET_MEAN, std != null ? std : ModelInfo.IMAGENET_STD);
    }

    public ModelInfo info() {
        return new ModelInfo(classNames, palette, mean, std);
    }
}
