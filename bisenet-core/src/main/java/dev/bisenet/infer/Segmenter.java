package dev.bisenet.infer;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.bisenet.image.Padding;
import dev.bisenet.image.Preprocess;
import dev.bisenet.image.Rgb;
import dev.bisenet.spec.ModelInfo;

/**
 * Segments images with a BiSeNetV2 model: the entry point of the Java API.
 *
 * <pre>{@code
 * try (Segmenter seg = Segmenter.load(Path.of("models/bisenetv2_camvid.pth"))) {
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
    private final Preprocess preprocess;

    public Segmenter(Backend backend, ModelInfo info) {
        ModelInfo.requireClasses(backend.numClasses(), info.numClasses(), "the class list",
                "give a matching --preset or sidecar");
        this.backend = backend;
        this.info = info;
        this.preprocess = new Preprocess(info.mean(), info.std());
    }

    /**
     * Loads a {@code .pth} checkpoint (reference layout, exported to ONNX in memory) or an
     * {@code .onnx} model on ONNX Runtime; class names, palette and normalisation come from the
     * sidecar beside a {@code .pth} ({@code model.pth} -> {@code model.json}), the metadata of an
     * {@code .onnx}, or generic ones. Needs only {@code bisenet-core}: no libtorch.
     */
    public static Segmenter load(Path model) {
        return load(model, Backends.Kind.ONNX);
    }

    /** As {@link #load(Path)}, on the given engine ({@code pytorch} needs {@code bisenet-torch}). */
    public static Segmenter load(Path model, Backends.Kind kind) {
        return ModelLoader.open(new ModelLoader.Options().checkpoint(model).backend(kind), null).segmenter();
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
            preprocess.into(images.get(k).pixels(), h, w, input, k, ph, pw);
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
        preprocess.into(image.pixels(), h, w, input, 0, ph, pw);
        return Padding.cropLogits(backend.logits(input, 1, ph, pw), backend.numClasses(), ph, pw, h, w);
    }

    @Override
    public void close() {
        backend.close();
    }
}
