package dev.bisenet.infer;

import ai.djl.modality.cv.output.CategoryMask;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import dev.bisenet.image.Overlay;
import dev.bisenet.image.Png;
import dev.bisenet.image.Rgb;
import dev.bisenet.spec.ModelInfo;

/**
 * The result of segmenting one image: a class index per pixel, at the image's size, with the
 * model's class names and palette to render it.
 */
public final class Segmentation {

    private final int height;
    private final int width;
    private final int[] labels; // (height, width) row-major class indices
    private final ModelInfo info;

    public Segmentation(int height, int width, int[] labels, ModelInfo info) {
        if (labels.length != height * width) {
            throw new IllegalArgumentException(labels.length + " labels for " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
        this.labels = labels;
        this.info = info;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The class of pixel (y, x). */
    public int classAt(int y, int x) {
        return labels[y * width + x];
    }

    /** The label map, row-major (height x width); the array is shared, not copied. */
    public int[] labels() {
        return labels;
    }

    public ModelInfo info() {
        return info;
    }

    /** The label map as DJL's segmentation type, with the class names. */
    public CategoryMask toCategoryMask() {
        int[][] mask = new int[height][width];
        for (int y = 0; y < height; y++) {
            System.arraycopy(labels, y * width, mask[y], 0, width);
        }
        return new CategoryMask(info.classNames(), mask);
    }

    /** Each pixel in its class's palette colour. */
    public BufferedImage colorMask() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int[] palette = info.palette();
        for (int i = 0; i < px.length; i++) {
            int c = labels[i];
            px[i] = c >= 0 && c < palette.length ? palette[c] : 0;
        }
        return img;
    }

    /**
     * The image blended with the class colours: {@code (1 - alpha) * image + alpha * colour}.
     *
     * @param rgb the segmented image's interleaved RGB bytes
     */
    public BufferedImage overlay(byte[] rgb, float alpha) {
        if (rgb.length != 3 * height * width) {
            throw new IllegalArgumentException("image is not " + height + "x" + width + " RGB");
        }
        byte[] out = new byte[rgb.length];
        Overlay.blend(rgb, labels, info.palette(), alpha, out);
        return new Rgb(height, width, out).toBufferedImage();
    }

    /** {@code <stem>.png} of {@code predict}: the label indices as 8-bit grey PNG bytes. */
    public byte[] labelsPng() {
        return Png.encode(labelImage());
    }

    /** {@code <stem>_color.png}: each class in its palette colour, PNG bytes. */
    public byte[] colorPng() {
        return Png.encode(colorMask());
    }

    /** {@code <stem>_overlay.png}: {@code image} blended with the class colours, {@code alpha} the colours' weight. */
    public byte[] overlayPng(Rgb image, float alpha) {
        return Png.encode(overlay(image.pixels(), alpha));
    }

    /** The label map as an 8-bit single-channel image (classes above 255 do not fit: an error). */
    public BufferedImage labelImage() {
        if (info.numClasses() > 256) {
            throw new IllegalStateException(info.numClasses() + " classes do not fit an 8-bit label image");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) labels[i];
        }
        return img;
    }
}
