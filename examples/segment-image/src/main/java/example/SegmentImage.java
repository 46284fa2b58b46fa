package example;

import dev.bisenet.infer.Segmentation;
import dev.bisenet.infer.Segmenter;
import java.io.File;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Segments one image with a BiSeNetV2 checkpoint and prints the class at a pixel.
 *
 * <pre>mvn -q compile exec:java -Dexec.args="MODEL.pth IMAGE.png Y X"</pre>
 */
public final class SegmentImage {

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: SegmentImage MODEL.pth IMAGE Y X");
            System.exit(2);
        }
        int y = Integer.parseInt(args[2]);
        int x = Integer.parseInt(args[3]);
        try (Segmenter seg = Segmenter.load(Path.of(args[0]))) {
            Segmentation s = seg.segment(ImageIO.read(new File(args[1])));
            int c = s.classAt(y, x);
            System.out.printf("%dx%d image; class at (y=%d, x=%d): %d %s%n", s.height(), s.width(), y, x, c,
                    seg.info().classNames().get(c));
            File mask = new File(System.getProperty("java.io.tmpdir"), "segment-image-color.png");
            ImageIO.write(s.colorMask(), "png", mask);
            System.out.println("colour mask: " + mask);
        }
        // bisenet-core runs on ONNX Runtime: the PyTorch engine must not be here.
        boolean libtorch = SegmentImage.class.getClassLoader().getResource("ai/djl/pytorch/engine/PtEngine.class") != null;
        System.out.println("PyTorch engine on the classpath: " + (libtorch ? "yes" : "no"));
    }
}
