package dev.bisenet.data;

import dev.bisenet.image.Rgb;
import dev.bisenet.util.UserException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A list of image/label pairs and the spec that reads their labels: the generic reader every
 * dataset (CamVid, Cityscapes, COCO-Stuff, ADE20K, a list file) comes down to.
 */
public final class SegDataset {

    /** One image and its label file. */
    public record Sample(Path image, Path label) {}

    /** A decoded sample: RGB pixels and class indices (255 = ignore) of the same size. */
    public record Item(String name, Rgb image, byte[] labels) {}

    /** A sample that could not be used, and why. */
    public record Bad(Path file, String reason) {}

    private final String name;
    private final List<Sample> samples;
    private final DatasetSpec spec;
    private final boolean skipBad;
    private final List<Bad> bad = Collections.synchronizedList(new ArrayList<>());

    public SegDataset(String name, List<Sample> samples, DatasetSpec spec, boolean skipBad) {
        if (samples.isEmpty()) {
            throw new UserException(name + ": no image/label pairs found");
        }
        this.name = name;
        this.samples = List.copyOf(samples);
        this.spec = spec;
        this.skipBad = skipBad;
    }

    public String name() {
        return name;
    }

    public int size() {
        return samples.size();
    }

    public Sample sample(int i) {
        return samples.get(i);
    }

    public DatasetSpec spec() {
        return spec;
    }

    public boolean skipBad() {
        return skipBad;
    }

    /** Samples skipped as bad so far (with {@code --skip-bad}). */
    public List<Bad> badSamples() {
        synchronized (bad) {
            return List.copyOf(bad);
        }
    }

    /**
     * Reads and checks sample {@code i}. A bad sample (unreadable image, colour label, unknown
     * label value, size mismatch) is an error naming the file; with skip-bad it is recorded and
     * the next good sample (in index order, wrapping) is returned instead.
     */
    public Item load(int i) {
        for (int k = 0; k < samples.size(); k++) {
            int j = (i + k) % samples.size();
            try {
                return loadStrict(j);
            } catch (UserException e) {
                if (!skipBad) {
                    throw e;
                }
                recordBad(samples.get(j), e.getMessage());
            }
        }
        throw new UserException(name + ": every sample is bad (see the messages above)");
    }

    /** Reads sample {@code i}, failing on any problem. */
    public Item loadStrict(int i) {
        Sample s = samples.get(i);
        Rgb img = Rgb.read(s.image());
        int[] size = new int[2];
        byte[] labels = Labels.read(s.label(), spec, size);
        if (size[0] != img.height() || size[1] != img.width()) {
            throw new UserException(s.label() + ": label is " + size[0] + "x" + size[1] + " but its image "
                    + s.image() + " is " + img.height() + "x" + img.width() + " (height x width)");
        }
        return new Item(stem(s.image()), img, labels);
    }

    private void recordBad(Sample s, String reason) {
        synchronized (bad) {
            for (Bad b : bad) {
                if (b.file().equals(s.image())) return;
            }
            bad.add(new Bad(s.image(), reason));
        }
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
