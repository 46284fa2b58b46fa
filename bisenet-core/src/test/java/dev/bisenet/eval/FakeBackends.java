package dev.bisenet.eval;

import dev.bisenet.infer.Backend;
import java.util.ArrayList;
import java.util.List;

/** Backends whose logits are known per pixel, so protocol results can be predicted exactly. */
final class FakeBackends {

    private FakeBackends() {
    }

    /** Base: checks the input contract and records every call's (h, w). */
    abstract static class Recording implements Backend {
        final List<int[]> calls = new ArrayList<>();
        private final int classes;

        Recording(int classes) {
            this.classes = classes;
        }

        @Override
        public int numClasses() {
            return classes;
        }

        @Override
        public float[] logits(float[] nchw, int n, int h, int w) {
            if (h % 32 != 0 || w % 32 != 0) {
                throw new IllegalArgumentException("input " + h + "x" + w
                        + " is not a multiple of 32");
            }
            if (nchw.length != n * 3 * h * w) {
                throw new IllegalArgumentException("input length " + nchw.length);
            }
            calls.add(new int[] {h, w});
            float[] out = new float[n * classes * h * w];
            float[] rgb = new float[3];
            float[] scores = new float[classes];
            int plane = h * w;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < plane; i++) {
                    for (int ch = 0; ch < 3; ch++) {
                        rgb[ch] = nchw[(b * 3 + ch) * plane + i];
                    }
                    pixel(rgb, scores);
                    for (int k = 0; k < classes; k++) {
                        out[(b * classes + k) * plane + i] = scores[k];
                    }
                }
            }
            return out;
        }

        @Override
        public int[] labels(float[] nchw, int n, int h, int w) {
            return argmax(logits(nchw, n, h, w), n, classes, h * w);
        }

        /** The logits of one pixel from its three input values. */
        abstract void pixel(float[] rgb, float[] logits);

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    /** Per-pixel argmax of (n, classes, plane) logits; fakes only (real backends do it in-graph). */
    static int[] argmax(float[] logits, int n, int classes, int plane) {
        int[] out = new int[n * plane];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < plane; i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (logits[(b * classes + k) * plane + i] > logits[(b * classes + best) * plane + i]) best = k;
                }
                out[b * plane + i] = best;
            }
        }
        return out;
    }

    /**
     * Three classes with logits 4 x (r, g, b): linear, so it commutes with bilinear resampling,
     * and per pixel, so it commutes with flips; an image of one-hot colours is predicted as
     * the index of its colour.
     */
    static class Linear extends Recording {
        Linear() {
            super(3);
        }

        @Override
        void pixel(float[] rgb, float[] logits) {
            for (int k = 0; k < 3; k++) {
                logits[k] = 4 * rgb[k];
            }
        }
    }

    /** Three classes whose logits are a fixed affine map of the pixel's three input values. */
    static final class Affine extends Recording {
        static final float[][] WEIGHT = {{2, -1, 0.5f}, {-1, 1.5f, 1}, {0.3f, 0.2f, -2}};
        static final float[] BIAS = {0.1f, -0.2f, 0.05f};

        Affine() {
            super(3);
        }

        @Override
        void pixel(float[] rgb, float[] logits) {
            for (int k = 0; k < 3; k++) {
                logits[k] = WEIGHT[k][0] * rgb[0] + WEIGHT[k][1] * rgb[1] + WEIGHT[k][2] * rgb[2]
                        + BIAS[k];
            }
        }
    }

    /**
     * Input channels 0 and 1 hold a pixel's row and column, channel 2 is 1 on image pixels (0 on
     * padding). Records how often each image pixel was seen and gives logits that depend only on
     * the pixel's coordinates, so every window agrees on every pixel.
     */
    static final class Coordinates extends Recording {
        final int[][] seen;

        Coordinates(int classes, int h, int w) {
            super(classes);
            seen = new int[h][w];
        }

        @Override
        void pixel(float[] rgb, float[] logits) {
            if (rgb[2] == 1f) {
                seen[(int) rgb[0]][(int) rgb[1]]++;
            }
            for (int k = 0; k < logits.length; k++) {
                logits[k] = logit(k, rgb[0], rgb[1]);
            }
        }

        static float logit(int k, float y, float x) {
            return (float) (Math.sin(0.3 * y + k) + Math.cos(0.2 * x * (k + 1)));
        }

        /** The coordinate image for this backend, shape (3, h, w). */
        static float[] image(int h, int w) {
            float[] img = new float[3 * h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img[y * w + x] = y;
                    img[h * w + y * w + x] = x;
                    img[2 * h * w + y * w + x] = 1;
                }
            }
            return img;
        }
    }

    /** Constant-colour blocks: class 0 top-left, class 1 top-right, class 2 bottom. */
    static int blockClass(int y, int x, int h, int w) {
        if (y < h * 4 / 7) {
            return x < w / 3 ? 0 : 1;
        }
        return 2;
    }

    /** The labels of {@link #blockClass} and the matching one-hot image, shape (3, h, w). */
    static float[] blockImage(int h, int w) {
        float[] img = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img[blockClass(y, x, h, w) * h * w + y * w + x] = 1;
            }
        }
        return img;
    }

    static int[] blockLabels(int h, int w) {
        int[] labels = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                labels[y * w + x] = blockClass(y, x, h, w);
            }
        }
        return labels;
    }

    /** Distance in pixels from (y, x) to the nearest block boundary. */
    static int boundaryDistance(int y, int x, int h, int w) {
        int top = h * 4 / 7;
        int left = w / 3;
        int d = y < top ? top - 1 - y : y - top;
        if (y < top) {
            d = Math.min(d, x < left ? left - 1 - x : x - left);
        }
        return d;
    }
}
