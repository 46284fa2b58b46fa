package dev.bisenet.data;

import dev.bisenet.image.Rgb;
import dev.bisenet.image.ImageDecoder;
import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;

/**
 * Reads label images: one channel of raw values (8-bit grey, 16-bit grey, or the indices of a
 * palette PNG), mapped to class indices with 255 for ignored pixels.
 */
public final class Labels {

    private Labels() {}

    /**
     * @param mapping raw value (0..255) to class index or 255; -1 marks values no label may hold
     * @return class indices, height x width row-major, as unsigned bytes
     */
    public static byte[] read(Path file, int[] mapping, int[] sizeOut) {
        return read(file, mapping, sizeOut, "convert it by mapping each palette colour to its class index");
    }

    /**
     * Reads a label of {@code spec}'s dataset; a label that is plainly not class indices (colour,
     * values the dataset does not have) is refused with the name of the file to use instead.
     */
    public static byte[] read(Path file, DatasetSpec spec, int[] sizeOut) {
        return read(file, spec.mapping(), sizeOut, useInstead(spec.name()));
    }

    /** Which label files of each preset hold class ids, for the messages that refuse the others. */
    static String useInstead(String dataset) {
        return switch (dataset) {
            case "cityscapes" -> "use the *_gtFine_labelIds.png files (raw ids 0..33) or *_gtFine_labelTrainIds.png"
                    + " (train ids 0..18, 255), not *_gtFine_color.png or *_gtFine_instanceIds.png";
            case "camvid" -> "use the SegNet annotations (<split>annot/*.png, values 0..11), not the colour-coded"
                    + " LabeledApproved_full images";
            case "coco" -> "use stuffthingmaps_trainval2017/<split>/*.png (ids 0..181, 255 unlabelled), not the"
                    + " colour or stuff-only maps";
            case "ade20k" -> "use ADEChallengeData2016/annotations/<split>/*.png (values 0..150), not the full"
                    + " ADE20K *_seg.png files";
            default -> "labels must hold class indices 0..n-1 and the ignore value; convert it by mapping each"
                    + " colour to its class index";
        };
    }

    private static byte[] read(Path file, int[] mapping, int[] sizeOut, String useInstead) {
        BufferedImage img = ImageDecoder.read(file);
        Raster r = img.getRaster();
        boolean palette = img.getColorModel() instanceof IndexColorModel;
        if (r.getNumBands() != 1 || (img.getColorModel().getNumColorComponents() > 1 && !palette)) {
            throw new UserException(file + ": a colour (" + r.getNumBands() + "-channel) label image; labels must be"
                    + " single-channel PNGs of class indices, not colours: " + useInstead);
        }
        int h = img.getHeight(), w = img.getWidth();
        byte[] out = new byte[h * w];
        int[] row = new int[w]; // a row at a time: a whole-image int[] would be 4x the label's size
        for (int y = 0; y < h; y++) {
            r.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                int m = v < mapping.length ? mapping[v] : -1;
                if (m < 0) {
                    throw new UserException(file + ": label value " + v + " at (y " + y + ", x " + x
                            + ") is neither a class nor the ignore value of this dataset: " + useInstead);
                }
                out[y * w + x] = (byte) m;
            }
        }
        sizeOut[0] = h;
        sizeOut[1] = w;
        return out;
    }
}
