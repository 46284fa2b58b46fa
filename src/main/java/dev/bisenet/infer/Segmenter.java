package dev.bisenet.infer;

import ai.djl.Model;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.Sidecar;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.Init;
import dev.bisenet.model.ModelSpec;
import dev.bisenet.model.OutputMode;
import dev.bisenet.model.Weights;
import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Segments images with a BiSeNetV2 model: the entry point of the Java API.
 *
 * <pre>{@code
 * try (Segmenter seg = Segmenter.load(Path.of("model_final_v2_city.pth"))) {
 *     Segmentation s = seg.segment(ImageIO.read(new File("street.png")));
 *     BufferedImage mask = s.colorMask();
 * }
 * }</pre>
 *
 * <p>Any image size works: the input is normalised, zero-padded at the bottom and right to
 * multiples of 32, and the result is cropped back (no resampling), as other implementations do.
 *
 * <p>Thread-safety: a Segmenter is not thread-safe (like a DJL {@code Predictor}, it reuses
 * buffers between calls): give each thread its own, e.g. with {@code ThreadLocal}. The engine
 * already spreads one call over all cores, so one Segmenter per core is rarely faster than one
 * Segmenter; {@link #segmentAll} batches images of one size into one forward pass.
 */
public final class Segmenter implements AutoCloseable {

    private final Backend backend;
    private final ModelInfo info;

    public Segmenter(Backend backend, ModelInfo info) {
        if (backend.numClasses() != info.numClasses()) {
            throw new UserException("the model has " + backend.numClasses() + " classes but its class list has "
                    + info.numClasses() + "; give matching --preset or sidecar");
        }
        this.backend = backend;
        this.info = info;
    }

    /**
     * Loads a {@code .pth} checkpoint (reference layout) on the PyTorch engine; class names,
     * palette and normalisation come from the sidecar beside it, or generic ones.
     */
    public static Segmenter load(Path checkpoint) {
        Sidecar side = Sidecar.readFor(checkpoint);
        Backend backend = loadPyTorch(checkpoint);
        ModelInfo info = side != null ? infoOf(side, backend.numClasses()) : ModelInfo.generic(backend.numClasses());
        return new Segmenter(backend, info);
    }

    /** The network of a {@code .pth} checkpoint on the PyTorch engine, strictly loaded. */
    public static DjlBackend loadPyTorch(Path checkpoint) {
        if (!Files.isRegularFile(checkpoint)) {
            throw new UserException(checkpoint + ": no such checkpoint file");
        }
        String name = checkpoint.getFileName().toString();
        StateDict sd = PthReader.readStateDict(checkpoint).withoutModulePrefix();
        ModelSpec spec = ModelSpec.detect(sd, name).withBoosters(false);
        Model model = spec.newModel(OutputMode.PREDICT);
        try {
            Weights.load((BiSeNetV2) model.getBlock(), sd, name, Weights.Fit.STRICT);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return new DjlBackend(model, true);
    }

    /** A randomly initialised network (the paper's initialisation), for trying the tool without weights. */
    public static DjlBackend randomPyTorch(ModelSpec spec, long seed) {
        Model model = spec.withBoosters(false).newModel(OutputMode.PREDICT);
        Init.fromScratch((BiSeNetV2) model.getBlock(), seed);
        return new DjlBackend(model, true);
    }

    /** Class names, palette and normalisation from a sidecar, checked against the class count. */
    public static ModelInfo infoOf(Sidecar side, int numClasses) {
        ModelInfo generic = ModelInfo.generic(numClasses);
        List<String> names = side.classes() != null ? side.classes() : generic.classNames();
        int[] palette = side.palette() != null ? ModelInfo.packPalette(side.palette()) : generic.palette();
        if (names.size() != numClasses || palette.length != numClasses) {
            throw new UserException("the sidecar lists " + names.size() + " classes and " + palette.length
                    + " colours but the model has " + numClasses + " classes; fix the sidecar or pass --preset");
        }
        float[] mean = side.mean() != null ? side.mean() : ModelInfo.IMAGENET_MEAN;
        float[] std = side.std() != null ? side.std() : ModelInfo.IMAGENET_STD;
        return new ModelInfo(names, palette, mean, std);
    }

    public ModelInfo info() {
        return info;
    }

    public Backend backend() {
        return backend;
    }

    public Segmentation segment(BufferedImage image) {
        return segment(Rgb.of(image));
    }

    public Segmentation segment(Path imageFile) {
        return segment(Rgb.read(imageFile));
    }

    public Segmentation segment(Rgb image) {
        return segmentAll(List.of(image)).get(0);
    }

    /**
     * Segments several images; images of one size go through the network as one batch.
     */
    public List<Segmentation> segmentAll(List<Rgb> images) {
        List<Segmentation> out = new ArrayList<>(images.size());
        int i = 0;
        while (i < images.size()) {
            int j = i + 1;
            Rgb first = images.get(i);
            while (j < images.size() && images.get(j).height() == first.height() && images.get(j).width() == first.width()) {
                j++;
            }
            out.addAll(batch(images.subList(i, j)));
            i = j;
        }
        return out;
    }

    private List<Segmentation> batch(List<Rgb> images) {
        int n = images.size();
        int h = images.get(0).height();
        int w = images.get(0).width();
        int ph = Padding.ceil32(h);
        int pw = Padding.ceil32(w);
        float[] input = new float[n * 3 * ph * pw];                                      // (n, 3, ph, pw)
        for (int k = 0; k < n; k++) {
            Preprocess.normalise(images.get(k).pixels(), h, w, info.mean(), info.std(), input, k, ph, pw);
        }
        int[] labels = backend.labels(input, n, ph, pw);                                 // (n, ph, pw)
        int[] cropped = Preprocess.crop(labels, n, ph, pw, h, w);                        // (n, h, w)
        List<Segmentation> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int[] one = n == 1 ? cropped : java.util.Arrays.copyOfRange(cropped, k * h * w, (k + 1) * h * w);
            out.add(new Segmentation(h, w, one, info));
        }
        return out;
    }

    /** Raw logits (C, h, w) of one image at its own size (padding cropped away). */
    public float[] logits(Rgb image) {
        int h = image.height(), w = image.width();
        int ph = Padding.ceil32(h), pw = Padding.ceil32(w);
        float[] input = new float[3 * ph * pw];
        Preprocess.normalise(image.pixels(), h, w, info.mean(), info.std(), input, 0, ph, pw);
        return Padding.cropLogits(backend.logits(input, 1, ph, pw), backend.numClasses(), ph, pw, h, w);
    }

    @Override
    public void close() {
        backend.close();
    }
}
