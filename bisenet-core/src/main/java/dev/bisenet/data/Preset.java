package dev.bisenet.data;

import dev.bisenet.spec.ModelInfo;
import dev.bisenet.util.UserException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The datasets the reference implementation and the paper use: class names, palette, the
 * mapping from raw label values to class indices, and the normalisation each was trained with.
 * After mapping, 255 is the ignore label for every preset.
 */
public enum Preset {

    CITYSCAPES("cityscapes", Names.CITYSCAPES, Palettes.CITYSCAPES,
            new float[] {0.3257f, 0.3690f, 0.3223f}, new float[] {0.2112f, 0.2148f, 0.2115f}, Mappings.cityscapes()),
    /**
     * CamVid has no reference normalisation: these are the per-channel mean and std of RGB/255
     * over all pixels of its 367 train images (SegNet version), computed here.
     */
    CAMVID("camvid", Names.CAMVID, Palettes.CAMVID,
            new float[] {0.4119f, 0.4251f, 0.4327f}, new float[] {0.3071f, 0.3116f, 0.3072f}, Mappings.camvid()),
    COCO("coco", Names.COCO, null,
            new float[] {0.4696f, 0.4464f, 0.4072f}, new float[] {0.2747f, 0.2701f, 0.2852f}, Mappings.cocoStuff()),
    ADE20K("ade20k", Names.ADE20K, null,
            new float[] {0.4934f, 0.4682f, 0.4311f}, new float[] {0.2568f, 0.2551f, 0.2742f}, Mappings.ade20k());

    /** The ignore label after mapping, for every preset. */
    public static final int IGNORE = 255;

    private final String cliName;
    private final List<String> classNames;
    private final int[] palette;
    private final float[] mean;
    private final float[] std;
    private final int[] mapping;

    Preset(String cliName, List<String> classNames, int[] palette, float[] mean, float[] std, int[] mapping) {
        this.cliName = cliName;
        this.classNames = classNames;
        this.palette = palette != null ? palette : ModelInfo.generatedPalette(classNames.size());
        this.mean = mean;
        this.std = std;
        this.mapping = mapping;
    }

    public String cliName() {
        return cliName;
    }

    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Colour of each class, packed 0xRRGGBB. */
    public int[] palette() {
        return palette.clone();
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    public int ignoreIndex() {
        return IGNORE;
    }

    /** Raw label value (0..255) to class index or {@link #IGNORE}. */
    public int[] labelMapping() {
        return mapping.clone();
    }

    /** Names, palette and normalisation as the inference side wants them. */
    public ModelInfo info() {
        return new ModelInfo(classNames, palette, mean, std);
    }

    /** Everything a dataset reader needs, in the form custom datasets share. */
    public DatasetSpec spec() {
        return new DatasetSpec(cliName, classNames, palette.clone(), mapping.clone(), IGNORE, mean.clone(), std.clone());
    }

    public static Preset parse(String name) {
        for (Preset p : values()) {
            if (p.cliName.equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new UserException("unknown preset '" + name + "'; choose one of "
                + String.join(", ", Arrays.stream(values()).map(Preset::cliName).toList()));
    }

    /** The one preset with {@code n} classes, or null. */
    public static Preset byClassCount(int n) {
        Preset found = null;
        for (Preset p : values()) {
            if (p.numClasses() == n) {
                if (found != null) return null;
                found = p;
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return cliName.toLowerCase(Locale.ROOT);
    }
}
