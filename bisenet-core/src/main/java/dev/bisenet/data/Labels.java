package dev.bisenet.data;

import dev.bisenet.image.Rgb;
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
        BufferedImage img = Rgb.readImage(file);
        Raster r = img.getRaster();
        boolean palette = img.getColorModel() instanceof IndexColorModel;
        if (r.getNumBands() != 1 || (img.getColorModel().getNumColorComponents() > 1 && !palette)) {
            throw new UserException(file + ": a colour (" + r.getNumBands() + "-channel) label image; labels must be"
                    + " single-channel PNGs of class indices, not colours: convert it by mapping each palette colour"
                    + " to its class index");
        }
        int h = img.getHeight(), w = img.getWidth();
        int[] raw = r.getSamples(0, 0, w, h, 0, (int[]) null);
        byte[] out = new byte[h * w];
        for (int i = 0; i < raw.length; i++) {
            int v = raw[i];
            int m = v < mapping.length ? mapping[v] : -1;
            if (m < 0) {
                throw new UserException(file + ": label value " + v + " at (y " + i / w + ", x " + i % w
                        + ") is neither a class nor the ignore value of this dataset");
            }
            out[i] = (byte) m;
        }
        sizeOut[0] = h;
        sizeOut[1] = w;
        return out;
    }
}
