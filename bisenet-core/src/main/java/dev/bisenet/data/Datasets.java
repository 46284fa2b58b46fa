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
        List<SegDataset.Sample> samples = switch (preset) {
            case CAMVID -> camvid(root, split);
            case CITYSCAPES -> cityscapes(root, split);
            case COCO -> paired(root.resolve("images").resolve(cocoSplit(split)), ".jpg",
                    root.resolve("labels").resolve(cocoSplit(split)), ".png");
            case ADE20K -> paired(root.resolve("images").resolve(adeSplit(split)), ".jpg",
                    root.resolve("annotations").resolve(adeSplit(split)), ".png");
        };
        return new SegDataset(preset.cliName() + " " + split + " (" + root + ")", samples, preset.spec(), skipBad);
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

    /** Cityscapes: {@code leftImg8bit/<split>/<city>/X_leftImg8bit.png} -> {@code gtFine/<split>/<city>/X_gtFine_labelIds.png}. */
    static List<SegDataset.Sample> cityscapes(Path root, String split) {
        Path images = root.resolve("leftImg8bit").resolve(split);
        requireFolder(images, "Cityscapes image folder");
        List<SegDataset.Sample> out = new ArrayList<>();
        for (Path img : walk(images, "_leftImg8bit.png")) {
            Path rel = images.relativize(img);
            String name = img.getFileName().toString().replace("_leftImg8bit.png", "_gtFine_labelIds.png");
            Path label = root.resolve("gtFine").resolve(split).resolve(rel).resolveSibling(name);
            out.add(new SegDataset.Sample(img, requireFile(label, img)));
        }
        return out;
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

    private static List<Path> walk(Path dir, String suffix) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list (" + e.getMessage() + ")");
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
