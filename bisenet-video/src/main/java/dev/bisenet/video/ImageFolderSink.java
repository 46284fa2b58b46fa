package dev.bisenet.video;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes each frame as PNG images in a folder: {@code <prefix><name>_overlay.png} (the overlay)
 * and {@code <prefix><name>.png} (labels as 8-bit grey class indices), where name is the
 * frame's {@link Frame#name()}.
 */
public final class ImageFolderSink implements FrameSink {

    private final Path dir;
    private final String prefix;
    private final boolean overlays;
    private final boolean labels;

    /**
     * @param prefix put before each frame name, e.g. the video's stem and an underscore; may be
     *     empty
     * @param overlays whether to write the overlay images
     * @param labels whether to write the label images
     */
    public ImageFolderSink(Path dir, String prefix, boolean overlays, boolean labels) {
        if (!overlays && !labels) {
            throw new IllegalArgumentException("an image folder sink must write something");
        }
        this.dir = dir;
        this.prefix = prefix;
        this.overlays = overlays;
        this.labels = labels;
    }

    @Override
    public void open(VideoInfo output) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void write(SegmentedFrame s) throws IOException {
        Frame f = s.frame();
        String name = prefix + f.name();
        if (overlays) {
            BufferedImage image = new BufferedImage(f.width(), f.height(),
                    BufferedImage.TYPE_3BYTE_BGR);
            byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            byte[] rgb = s.overlay();
            for (int p = 0; p < rgb.length; p += 3) {
                bgr[p] = rgb[p + 2];
                bgr[p + 1] = rgb[p + 1];
                bgr[p + 2] = rgb[p];
            }
            writePng(image, dir.resolve(name + "_overlay.png"));
        }
        if (labels) {
            BufferedImage image = new BufferedImage(f.width(), f.height(),
                    BufferedImage.TYPE_BYTE_GRAY);
            byte[] grey = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            System.arraycopy(s.labelBytes(), 0, grey, 0, grey.length);
            writePng(image, dir.resolve(name + ".png"));
        }
    }

    private static void writePng(BufferedImage image, Path file) throws IOException {
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    @Override
    public void close() {
        // every image is complete once written
    }
}
