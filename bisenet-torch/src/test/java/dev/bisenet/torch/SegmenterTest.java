package dev.bisenet.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import dev.bisenet.infer.Backends;
import dev.bisenet.infer.Segmentation;
import dev.bisenet.infer.Segmenter;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.CategoryMask;
import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.PthWriter;
import dev.bisenet.spec.Sidecar;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.bisenet.image.Rgb;
import dev.bisenet.spec.ModelInfo;

/** The Java API: load, segment, and the same answer through every door. */
class SegmenterTest {

    @TempDir
    Path dir;

    private static BufferedImage picture(int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 % 256) << 16 | (y * 5 % 256) << 8 | 40);
        return img;
    }

    @Test
    void threeLinesAndConsistentAnswers() throws Exception {
        Path pth = dir.resolve("m.pth");
        PthWriter.write(FormulaWeights.stateDict(5, false), pth);
        new Sidecar(Sidecar.FORMAT, null, 5, "base", 1024, List.of("a", "b", "c", "d", "e"),
                List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6}, new int[] {7, 8, 9}, new int[] {10, 11, 12}, new int[] {13, 14, 15}),
                new float[] {0.4f, 0.4f, 0.4f}, new float[] {0.3f, 0.3f, 0.3f}, Sidecar.PAD_TO_32, null, null, null).writeFor(pth);
        BufferedImage img = picture(50, 70);

        Segmentation s;
        try (Segmenter seg = Segmenter.load(pth, Backends.Kind.PYTORCH)) {
            s = seg.segment(img);
            assertEquals(List.of("a", "b", "c", "d", "e"), seg.info().classNames(), "names come from the sidecar");
            // a batch of two gives the same labels as one at a time
            List<Segmentation> two = seg.segmentAll(List.of(Rgb.of(img), Rgb.of(img)));
            assertArrayEquals(s.labels(), two.get(1).labels());
        }
        assertEquals(50, s.height());
        assertEquals(70, s.width());
        int[] palette = {0x010203, 0x040506, 0x070809, 0x0a0b0c, 0x0d0e0f};
        assertEquals(palette[s.classAt(0, 0)], s.colorMask().getRGB(0, 0) & 0xffffff, "the sidecar's palette");

        // the same through ONNX Runtime
        try (Segmenter onnx = Segmenter.load(pth)) { // the core default: ONNX Runtime, sidecar read the same way
            assertArrayEquals(s.labels(), onnx.segment(img).labels());
        }

        // and through DJL's Predictor with the translator
        ModelInfo info = ModelInfo.fromSidecar(Sidecar.readFor(pth), 5, "the sidecar");
        try (Model model = SegmentationTranslator.loadModel(pth);
                Predictor<Image, CategoryMask> p = model.newPredictor(new SegmentationTranslator(info))) {
            CategoryMask mask = p.predict(ImageFactory.getInstance().fromImage(img));
            int[][] m = mask.getMask();
            for (int y = 0; y < 50; y++) {
                for (int x = 0; x < 70; x++) {
                    assertEquals(s.classAt(y, x), m[y][x], "pixel " + y + "," + x);
                }
            }
            assertEquals(List.of("a", "b", "c", "d", "e"), mask.getClasses());
        }
    }
}
