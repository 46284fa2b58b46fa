package dev.bisenet.train;

import java.util.Arrays;

/**
 * A tiny two-image dataset made in the test: the left part of each image is one colour and
 * class, the right part another. Batch i is a pure function of i, as the real loader's are.
 */
final class SyntheticBatches implements Batches {

    private final int h;
    private final int w;
    private int next;
    private final boolean poison;
    private final int crashAt;

    SyntheticBatches(int h, int w, int start, boolean poison) {
        this(h, w, start, poison, Integer.MAX_VALUE);
    }

    /** @param crashAt the iteration whose batch never comes: the process "dies" there */
    SyntheticBatches(int h, int w, int start, boolean poison, int crashAt) {
        this.h = h;
        this.w = w;
        this.next = start;
        this.poison = poison;
        this.crashAt = crashAt;
    }

    @Override
    public Batch next() {
        int it = next++;
        if (it == crashAt) {
            throw new IllegalStateException("simulated crash at iteration " + it);
        }
        int n = 2;
        float[] img = new float[n * 3 * h * w];
        byte[] lab = new byte[n * h * w];
        for (int b = 0; b < n; b++) {
            int split = w / 3 + b * w / 3; // image b: classes split at a different column
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int cls = x < split ? 0 : (y < h / 2 ? 1 : 2);
                    lab[(b * h + y) * w + x] = (byte) (x == split ? 255 : cls);
                    for (int c = 0; c < 3; c++) {
                        img[((b * 3 + c) * h + y) * w + x] = (cls == c ? 1.5f : -0.5f) + 0.1f * (float) Math.sin(x * 0.3 + y + it);
                    }
                }
            }
        }
        if (poison) {
            Arrays.fill(img, Float.NaN);
        }
        return new Batch(it, n, h, w, img, lab);
    }

    @Override
    public long waitNanos() {
        return 0;
    }

    @Override
    public void close() {}
}
