package dev.bisenet.data;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the image/label pairs of a split in each dataset's usual folder layout. Only the
 * layouts differ; {@link SegDataset} does the reading.
 */
public final class Datasets {

    private Datasets() {}

    /** A preset's split under {@code root}, in that dataset's official layout. */
    public static SegDataset open(Preset preset, Path root, String split, boolean skipBad) {
        requireFolder(root, "dataset root");
        String name = preset.cliName() + " " + split + " (" + root + ")";
        return switch (preset) {
            case CITYSCAPES -> cityscapes(root, split, name, skipBad); // picks its label kind, hence its mapping
            case CAMVID -> new SegDataset(name, camvid(root, split), preset.spec(), skipBad);
            case COCO -> new SegDataset(name, paired(root.resolve("images").resolve(cocoSplit(split)), ".jpg",
                    cocoLabels(root, split), ".png"), preset.spec(), skipBad);
            case ADE20K -> new SegDataset(name, paired(root.resolve("images").resolve(adeSplit(split)), ".jpg",
                    root.resolve("annotations").resolve(adeSplit(split)), ".png"), preset.spec(), skipBad);
        };
    }

    /**
     * A custom dataset from a list file: one {@code image label} (or {@code image,label}) pair a
     * line, paths relative to {@code root}; blank lines and lines starting with # are skipped.
     */
    public static SegDataset fromList(Path root, Path listFile, DatasetSpec spec, boolean skipBad) {
        return new SegDataset(listFile.toString(), readList(root, listFile), spec, skipBad);
    }

    /** CamVid, SegNet layout: {@code <split>.txt} when present, else {@code <split>/} beside {@code <split>annot/}. */
    static List<SegDataset.Sample> camvid(Path root, String split) {
        Path list = root.resolve(split + ".txt");
        if (Files.isRegularFile(list)) {
            return readList(root, list);
        }
        return paired(root.resolve(split), ".png", root.resolve(split + "annot"), ".png");
    }

    static final String CITYSCAPES_IMAGE = "_leftImg8bit.png";
    static final String CITYSCAPES_LABEL_IDS = "_gtFine_labelIds.png";
    static final String CITYSCAPES_TRAIN_IDS = "_gtFine_labelTrainIds.png";

    /**
     * Cityscapes: {@code leftImg8bit/<split>/<city>/X_leftImg8bit.png} with
     * {@code gtFine/<split>/<city>/X_gtFine_labelIds.png} (raw ids, mapped to train ids). A split
     * with no labelIds file at all but {@code X_gtFine_labelTrainIds.png} files (the layout
     * cityscapesscripts' createTrainIdLabelImgs and mmsegmentation produce) is read as train ids
     * already, with no second mapping; the dataset's name says which kind was read.
     */
    static SegDataset cityscapes(Path root, String split, String name, boolean skipBad) {
        Path images = root.resolve("leftImg8bit").resolve(split);
        Path labels = root.resolve("gtFine").resolve(split);
        requireFolder(images, "Cityscapes image folder");
        requireFolder(labels, "Cityscapes label folder");
        boolean trainIds = walk(labels, CITYSCAPES_LABEL_IDS).isEmpty() && !walk(labels, CITYSCAPES_TRAIN_IDS).isEmpty();
        String labelSuffix = trainIds ? CITYSCAPES_TRAIN_IDS : CITYSCAPES_LABEL_IDS;
        List<SegDataset.Sample> out = new ArrayList<>();
        for (Path img : walk(images, CITYSCAPES_IMAGE)) {
            Path label = labels.resolve(images.relativize(img)).resolveSibling(swapSuffix(img, CITYSCAPES_IMAGE, labelSuffix));
            out.add(new SegDataset.Sample(img, requireFile(label, img)));
        }
        for (Path label : walk(labels, labelSuffix)) {
            Path img = images.resolve(labels.relativize(label)).resolveSibling(swapSuffix(label, labelSuffix, CITYSCAPES_IMAGE));
            requireImage(img, label);
        }
        DatasetSpec spec = Preset.CITYSCAPES.spec();
        if (!trainIds) {
            return new SegDataset(name + ", labels *" + CITYSCAPES_LABEL_IDS, out, spec, skipBad);
        }
        return new SegDataset(name + ", labels *" + CITYSCAPES_TRAIN_IDS + " (train ids, not mapped again)", out,
                new DatasetSpec(spec.name(), spec.classNames(), spec.palette(), Mappings.cityscapesTrainIds(),
                        spec.ignore(), spec.mean(), spec.std()), skipBad);
    }

    /** COCO-Stuff-164k labels: {@code labels/<split>}, or the official download's {@code stuffthingmaps_trainval2017/<split>}. */
    private static Path cocoLabels(Path root, String split) {
        Path labels = root.resolve("labels").resolve(cocoSplit(split));
        Path official = root.resolve("stuffthingmaps_trainval2017").resolve(cocoSplit(split));
        return !Files.isDirectory(labels) && Files.isDirectory(official) ? official : labels;
    }

    /** Images in one folder, labels with the same stem in another. */
    static List<SegDataset.Sample> paired(Path images, String imageExt, Path labels, String labelExt) {
        requireFolder(images, "image folder");
        requireFolder(labels, "label folder");
        List<SegDataset.Sample> out = new ArrayList<>();
        for (Path img : walk(images, imageExt)) {
            Path label = labels.resolve(images.relativize(img)).resolveSibling(SegDataset.stem(img) + labelExt);
            out.add(new SegDataset.Sample(img, requireFile(label, img)));
        }
        for (Path label : walk(labels, labelExt)) {
            Path rel = labels.relativize(label);
            requireImage(images.resolve(rel).resolveSibling(SegDataset.stem(label) + imageExt), label);
        }
        return out;
    }

    static List<SegDataset.Sample> readList(Path root, Path listFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(listFile);
        } catch (IOException e) {
            throw new UserException(listFile + ": cannot read the list file (" + e.getMessage() + ")");
        }
        List<SegDataset.Sample> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s*,\\s*|\\s+");
            if (f.length != 2) {
                throw new UserException(listFile + ":" + (n + 1) + ": expected 'image label', got '" + line + "'");
            }
            Path img = root.resolve(f[0]);
            Path label = root.resolve(f[1]);
            if (!Files.isRegularFile(img)) {
                throw new UserException(listFile + ":" + (n + 1) + ": image " + img + " does not exist");
            }
            out.add(new SegDataset.Sample(img, requireFile(label, img)));
        }
        return out;
    }

    /** Files under {@code dir} whose names end with {@code suffix}, ignoring case (.PNG, .JPG). */
    private static List<Path> walk(Path dir, String suffix) {
        String lower = suffix.toLowerCase(Locale.ROOT);
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(lower))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /** {@code file}'s name with its last {@code from.length()} characters (a suffix, in any case) replaced by {@code to}. */
    private static String swapSuffix(Path file, String from, String to) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - from.length()) + to;
    }

    private static void requireImage(Path image, Path label) {
        if (!Files.isRegularFile(image)) {
            throw new UserException(label + ": label without its image (expected " + image
                    + "); remove the label or add the image");
        }
    }

    private static Path requireFile(Path label, Path image) {
        if (!Files.isRegularFile(label)) {
            throw new UserException(label + ": missing label file for image " + image);
        }
        return label;
    }

    private static void requireFolder(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new UserException(dir + ": no such " + what);
        }
    }

    private static String cocoSplit(String split) {
        return split.equals("train") ? "train2017" : split.equals("val") ? "val2017" : split;
    }

    private static String adeSplit(String split) {
        return split.equals("train") ? "training" : split.equals("val") ? "validation" : split;
    }
}
