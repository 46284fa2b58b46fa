package dev.bisenet.infer.video;

import dev.bisenet.infer.Backend;
import dev.bisenet.infer.Padding;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A {@link FrameModel} on top of a {@link Backend}: normalises RGB/255 with the dataset's mean
 * and std into a (1, 3, ceil32(h), ceil32(w)) tensor zero-padded at the bottom and right, runs
 * the network with batch 1, and crops the labels back to the frame's h x w.
 *
 * <p>Input tensors come from a small pool and go back to it after the network call, so a video
 * does not allocate a new tensor per frame; this relies on the backend not keeping the input
 * array after {@code logits} returns (DJL and ONNX Runtime copy it into their own tensors).
 */
public final class BackendFrameModel implements FrameModel<BackendFrameModel.Input> {

    /** Tensors kept for reuse; the pipeline's queues bound how many are in use at once. */
    private static final int POOL_SIZE = 4;

    /**
     * A normalised, padded frame.
     *
     * @param frame the frame it came from
     * @param nchw shape (1, 3, paddedHeight, paddedWidth)
     */
    public record Input(Frame frame, float[] nchw, int paddedHeight, int paddedWidth) {
    }

    private final Backend backend;
    private final float[][] normalised = new float[3][256]; // channel, byte value -> input
    private final BlockingQueue<float[]> pool = new ArrayBlockingQueue<>(POOL_SIZE);

    /**
     * @param mean per-channel mean of RGB/255, such as CamVid's or Cityscapes'
     * @param std per-channel standard deviation of RGB/255
     */
    public BackendFrameModel(Backend backend, float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B), got "
                    + mean.length + " and " + std.length);
        }
        this.backend = backend;
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("std must be positive, got "
                        + Arrays.toString(std));
            }
            for (int v = 0; v < 256; v++) {
                normalised[c][v] = (v / 255f - mean[c]) / std[c];
            }
        }
    }

    @Override
    public Input prepare(Frame f) {
        int h = f.height();
        int w = f.width();
        int ph = Padding.ceil32(h);
        int pw = Padding.ceil32(w);
        int plane = ph * pw;
        float[] t = borrow(3 * plane);
        byte[] rgb = f.rgb();
        float[] r = normalised[0];
        float[] g = normalised[1];
        float[] b = normalised[2];
        for (int y = 0; y < h; y++) {
            int d = y * pw;
            for (int x = 0, s = y * w * 3; x < w; x++, s += 3) {
                t[d + x] = r[rgb[s] & 0xFF];
                t[plane + d + x] = g[rgb[s + 1] & 0xFF];
                t[2 * plane + d + x] = b[rgb[s + 2] & 0xFF];
            }
            // a pooled tensor holds the last frame's values, so padding is always rewritten
            for (int c = 0; c < 3; c++) {
                Arrays.fill(t, c * plane + d + w, c * plane + d + pw, 0f);
            }
        }
        for (int c = 0; c < 3; c++) {
            Arrays.fill(t, c * plane + h * pw, (c + 1) * plane, 0f);
        }
        return new Input(f, t, ph, pw);
    }

    @Override
    public int[] infer(Input in) {
        try {
            return labels(in.nchw(), in.paddedHeight(), in.paddedWidth(), in.frame().height(),
                    in.frame().width());
        } finally {
            pool.offer(in.nchw()); // dropped when the pool is full
        }
    }

    private float[] borrow(int size) {
        float[] t = pool.poll();
        return t != null && t.length == size ? t : new float[size];
    }

    /** Labels of the top-left h x w of the padded prediction; the arg-max runs inside the engine. */
    private int[] labels(float[] nchw, int ph, int pw, int h, int w) {
        int[] padded = backend.labels(nchw, 1, ph, pw);
        if (padded.length != ph * pw) {
            throw new IllegalStateException(backend.name() + " returned " + padded.length
                    + " labels for a " + ph + "x" + pw + " input");
        }
        return dev.bisenet.infer.Preprocess.crop(padded, 1, ph, pw, h, w);
    }
}
