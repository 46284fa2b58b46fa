package dev.bisenet.spec;

import dev.bisenet.util.UserException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a segmentation needs besides the network: class names, the colour of each class and the
 * normalisation of the input (RGB / 255, then (x - mean) / std). The one description of a model
 * in code; its two stored forms, the JSON {@link Sidecar} beside a {@code .pth} and the
 * {@link OnnxMetadata} inside an {@code .onnx}, convert to and from it here, and
 * {@link #requireClasses} is the one check that a class list fits a network.
 */
public record ModelInfo(List<String> classNames, int[] palette, float[] mean, float[] std) {

    /** ImageNet statistics: the fallback when a model says nothing about its normalisation. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public ModelInfo {
        classNames = List.copyOf(classNames);
        if (palette.length != classNames.size()) {
            throw new IllegalArgumentException(palette.length + " palette colours for " + classNames.size() + " classes");
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (r, g, b)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std values must be positive, got " + s);
            }
        }
    }

    /**
     * The one class-count check: a class list (of a sidecar, a preset, ONNX metadata, a flag)
     * must name exactly as many classes as the network has logits.
     *
     * @param listed how many classes {@code source} names
     * @param source what names them, for the message ("the sidecar model.json", "--preset camvid")
     * @param fix what the user can do about it
     */
    public static void requireClasses(int modelClasses, int listed, String source, String fix) {
        if (listed != modelClasses) {
            throw new UserException(source + " has " + listed + " classes but the model has " + modelClasses + "; " + fix);
        }
    }

    /**
     * Class names, palette and normalisation from a sidecar, generic where it says nothing, checked
     * against the network's class count.
     */
    public static ModelInfo fromSidecar(Sidecar side, int numClasses, String source) {
        ModelInfo generic = generic(numClasses);
        List<String> names = side.classes() != null ? side.classes() : generic.classNames();
        requireClasses(numClasses, names.size(), source, "fix the sidecar or pass --preset");
        int[] palette = side.palette() != null ? packPalette(side.palette()) : generic.palette();
        requireClasses(numClasses, palette.length, source + " (its palette)", "fix the sidecar or pass --preset");
        return new ModelInfo(names, palette, side.mean() != null ? side.mean() : IMAGENET_MEAN,
                side.std() != null ? side.std() : IMAGENET_STD);
    }

    /**
     * Class names, palette and normalisation from an ONNX model's metadata, or null when it names
     * no classes; checked against the network's class count.
     */
    public static ModelInfo fromOnnxMetadata(OnnxMetadata m, int numClasses, String source) {
        if (m == null || m.classes() == null) {
            return null;
        }
        requireClasses(numClasses, m.classes().size(), source + " (its bisenet.classes metadata)", "re-export the model");
        int[] palette = m.palette() != null ? packPalette(Arrays.asList(m.palette())) : generatedPalette(numClasses);
        requireClasses(numClasses, palette.length, source + " (its bisenet.palette metadata)", "re-export the model");
        return new ModelInfo(m.classes(), palette, m.mean() != null ? m.mean() : IMAGENET_MEAN,
                m.std() != null ? m.std() : IMAGENET_STD);
    }

    /** This description as ONNX metadata (with the padding input rule this project applies). */
    public OnnxMetadata toOnnxMetadata() {
        return new OnnxMetadata(classNames, paletteRows().toArray(new int[0][]), mean, std, "pad");
    }

    /**
     * What a sidecar says, as ONNX metadata: only the fields it sets, so that a model exported
     * from a checkpoint carries what its sidecar carries and no more.
     */
    public static OnnxMetadata onnxMetadataOf(Sidecar side) {
        int[][] palette = side.palette() == null ? null : side.palette().toArray(new int[0][]);
        return new OnnxMetadata(side.classes(), palette, side.mean(), side.std(), "pad");
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Generic names {@code class0..} and a generated palette, with ImageNet normalisation. */
    public static ModelInfo generic(int numClasses) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < numClasses; i++) {
            names.add("class" + i);
        }
        return new ModelInfo(names, generatedPalette(numClasses), IMAGENET_MEAN, IMAGENET_STD);
    }

    public ModelInfo withNormalisation(float[] mean, float[] std) {
        return new ModelInfo(classNames, palette, mean, std);
    }

    /** The palette as {r, g, b} rows, the form of sidecars and ONNX metadata. */
    public List<int[]> paletteRows() {
        List<int[]> rows = new ArrayList<>(palette.length);
        for (int c : palette) {
            rows.add(new int[] {c >> 16 & 0xff, c >> 8 & 0xff, c & 0xff});
        }
        return rows;
    }

    /** {r, g, b} rows packed as 0xRRGGBB. */
    public static int[] packPalette(List<int[]> rows) {
        int[] p = new int[rows.size()];
        for (int i = 0; i < p.length; i++) {
            int[] c = rows.get(i);
            p[i] = (c[0] & 0xff) << 16 | (c[1] & 0xff) << 8 | (c[2] & 0xff);
        }
        return p;
    }

    /**
     * The PASCAL VOC colour map: class i's bits spread over the high bits of r, g and b, so
     * neighbouring indices get clearly different colours, for any number of classes.
     */
    public static int[] generatedPalette(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 7; j >= 0 && c > 0; j--) {
                r |= (c & 1) << j;
                g |= ((c >> 1) & 1) << j;
                b |= ((c >> 2) & 1) << j;
                c >>= 3;
            }
            p[i] = (r << 16) | (g << 8) | b;
        }
        return p;
    }
}
