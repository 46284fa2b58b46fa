package dev.bisenet.export;

import dev.bisenet.image.Padding;
import dev.bisenet.image.Preprocess;
import dev.bisenet.image.Rgb;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * Feeds a {@link Calibrator} a fixed choice of images (normally of a dataset's training split),
 * each at full size, normalised and zero-padded to multiples of 32 as inference does.
 */
public final class ImageCalibration {

    private ImageCalibration() {}

    /**
     * {@code count} indices spread evenly over {@code size} images (all of them when count >=
     * size): a fixed choice that covers every sequence of an ordered split, not just the first.
     */
    public static int[] pick(int size, int count) {
        if (size < 1 || count < 1) {
            throw new IllegalArgumentException("need at least one image to pick from and to pick, got " + count + " of " + size);
        }
        int n = Math.min(size, count);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (int) ((long) i * size / n);
        return idx;
    }

    /**
     * Adds the images {@link #pick} chooses to {@code calibrator}.
     *
     * @param size how many images there are to choose from
     * @param image the image of an index, e.g. {@code i -> dataset.load(i).image()}
     *
     * @param mean per-channel RGB mean on the 0..1 scale (the preset's)
     * @param std per-channel RGB std
     * @param progress told the number of images done after each one
     * @return the number of images added
     */
    public static int add(Calibrator calibrator, int size, IntFunction<Rgb> image, float[] mean, float[] std, int count,
            IntConsumer progress) {
        int[] idx = pick(size, count);
        for (int k = 0; k < idx.length; k++) {
            Rgb img = image.apply(idx[k]);
            int h = img.height(), w = img.width();
            int ph = Padding.ceil32(h), pw = Padding.ceil32(w);
            float[] chw = new float[3 * ph * pw];
            Preprocess.normalise(img.pixels(), h, w, mean, std, chw, 0, ph, pw);
            calibrator.add(chw, ph, pw);
            progress.accept(k + 1);
        }
        return idx.length;
    }
}
