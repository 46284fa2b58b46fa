package dev.bisenet.torch;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.model.OutputMode;
import dev.bisenet.model.Weights;
import java.nio.file.Path;
import dev.bisenet.image.Padding;
import dev.bisenet.spec.ModelInfo;

/**
 * BiSeNetV2 the DJL way: a {@link ai.djl.translate.Translator} from DJL's {@link Image} to its
 * {@link CategoryMask}, for applications built on DJL's {@code Predictor}. Same rule as
 * {@link Segmenter}: normalise, zero-pad to multiples of 32, argmax inside the graph, crop.
 *
 * <pre>{@code
 * try (Model model = SegmentationTranslator.loadModel(Path.of("model.pth"));
 *      Predictor<Image, CategoryMask> p = model.newPredictor(new SegmentationTranslator(info))) {
 *     CategoryMask mask = p.predict(ImageFactory.getInstance().fromFile(Path.of("street.png")));
 * }
 * }</pre>
 * A {@code Predictor} is not thread-safe: one per thread, sharing the model.
 */
public final class SegmentationTranslator implements NoBatchifyTranslator<Image, CategoryMask> {

    private final ModelInfo info;

    public SegmentationTranslator(ModelInfo info) {
        this.info = info;
    }

    /** A DJL model holding the network of a {@code .pth} checkpoint, in PREDICT mode. */
    public static Model loadModel(Path checkpoint) {
        StateDict sd = PthReader.readStateDict(checkpoint).withoutModulePrefix();
        String name = checkpoint.getFileName().toString();
        Model model = BiSeNetV2.newModel(ModelSpec.detect(sd, name).withBoosters(false), OutputMode.PREDICT);
        try {
            Weights.load((BiSeNetV2) model.getBlock(), sd, name, Weights.Fit.STRICT);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        int h = input.getHeight(), w = input.getWidth();
        ctx.setAttachment("size", new int[] {h, w});
        NDManager nd = ctx.getNDManager();
        NDArray hwc = input.toNDArray(nd, Image.Flag.COLOR).toType(DataType.FLOAT32, false); // (h, w, 3) RGB 0..255
        NDArray mean = nd.create(info.mean()).mul(255f);
        NDArray std = nd.create(info.std()).mul(255f);
        NDArray chw = hwc.sub(mean).div(std).transpose(2, 0, 1);                                  // (3, h, w)
        int ph = Padding.ceil32(h), pw = Padding.ceil32(w);
        NDArray padded = nd.zeros(new ai.djl.ndarray.types.Shape(3, ph, pw));
        padded.set(new ai.djl.ndarray.index.NDIndex(":, :{}, :{}", h, w), chw);
        return new NDList(padded.expandDims(0));                                                  // (1, 3, ph, pw)
    }

    @Override
    public CategoryMask processOutput(TranslatorContext ctx, NDList list) {
        int[] size = (int[]) ctx.getAttachment("size");
        NDArray labels = list.singletonOrThrow().get(0).toType(DataType.INT32, false);            // (ph, pw)
        int pw = (int) labels.getShape().get(1);
        int[] flat = labels.toIntArray();
        int[][] mask = new int[size[0]][size[1]];
        for (int y = 0; y < size[0]; y++) {
            System.arraycopy(flat, y * pw, mask[y], 0, size[1]);
        }
        return new CategoryMask(info.classNames(), mask);
    }
}
