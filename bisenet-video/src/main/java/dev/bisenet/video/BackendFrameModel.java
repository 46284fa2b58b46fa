package dev.bisenet.video;

import dev.bisenet.infer.Backend;
import dev.bisenet.image.Padding;
import dev.bisenet.image.Preprocess;
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
    private final Preprocess preprocess;
    private final BlockingQueue<float[]> pool = new ArrayBlockingQueue<>(POOL_SIZE);

    /**
     * @param mean per-channel mean of RGB/255, such as CamVid's or Cityscapes'
     * @param std per-channel standard deviation of RGB/255
     */
    public BackendFrameModel(Backend backend, float[] mean, float[] std) {
        this.backend = backend;
        this.preprocess = new Preprocess(mean, std);
    }

    @Override
    public Input prepare(Frame f) {
        int h = f.height();
        int w = f.width();
        int ph = Padding.ceil32(h);
        int pw = Padding.ceil32(w);
        float[] t = borrow(3 * ph * pw);
        preprocess.into(f.rgb(), h, w, t, 0, ph, pw); // rewrites the padding of a pooled tensor
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
        return Preprocess.crop(padded, 1, ph, pw, h, w);
    }
}
