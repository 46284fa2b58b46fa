package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear upsampling by an integer factor f, align_corners=false (the reference's
 * {@code nn.Upsample(scale_factor=f, mode='bilinear', align_corners=False)}), as one convolution,
 * for training; and the "phase layout" it produces.
 *
 * <p>Output pixel (i f + r, j f + s) depends only on input pixels i-1..i+1 and j-1..j+1, with
 * weights that depend only on the phase (r, s): a 3 x 3 convolution of the edge-replicated input
 * with f x f output channels per input channel (one per phase) computes all of them. Its output
 * (N, C, f, f, h, w) holds the upsampled image with each phase in its own plane: the phase layout.
 * {@link #toImage} rearranges it to (N, C, h f, w f); a per-pixel loss can instead rearrange the
 * labels ({@link #labels}, a view) and skip that copy of the largest tensor of the step.
 *
 * <p>Why not libtorch's kernel: DJL's interpolation reaches only the antialiased one
 * ({@code _upsample_bilinear2d_aa}), whose backward is slow. The four heads' upsampling of a
 * training step (batch 4, 384x480, 11 classes, factors 8, 2, 4, 8, 16), forward and backward,
 * median of 15, machine quiet: this convolution 65-77 ms in phase layout and 111-138 ms with
 * {@link #toImage}; the antialiased kernel 169-221; the two dense matrix products used before,
 * 177-192; PyTorch 1.13's plain kernel 103-130.
 */
public final class PhaseLayout {

    /**
     * Forward parameter: {@code true} in a training forward makes each head return its logits in
     * phase layout, (N, C, f, f, H/f, W/f), f being that head's bilinear factor (the loss in
     * {@code dev.bisenet.train} takes them). Without it, training outputs are (N, C, H, W).
     */
    public static final String PARAM = "phaseLayout";

    private PhaseLayout() {}

    /**
     * Upsamples (N, C, h, w) by {@code f} into phase layout (N, C, f, f, h, w): element
     * (n, c, r, s, i, j) is output pixel (i f + r, j f + s). Differentiable in x.
     */
    static NDArray upsample(NDArray x, int f) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        float[][] t = taps(f);
        float[] k = new float[Math.toIntExact(c * f * f * 9)];                 // (C f f, 1, 3, 3)
        int i = 0;
        for (long ch = 0; ch < c; ch++) {
            for (int r = 0; r < f; r++) {
                for (int q = 0; q < f; q++) {
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            k[i++] = t[r][ky] * t[q][kx];
                        }
                    }
                }
            }
        }
        // Not closed here: made from Java memory, which the backward reads (see Free).
        NDArray kernel = x.getManager().create(k, new Shape(c * f * f, 1, 3, 3));
        // Edge replication: the clamped source index of align_corners=false at the borders.
        NDArray top = x.get(":, :, :1"), bottom = x.get(":, :, -1:");
        NDArray xh = NDArrays.concat(new NDList(top, x, bottom), 2);                  // (N, C, h+2, w)
        NDArray left = xh.get(":, :, :, :1"), right = xh.get(":, :, :, -1:");
        NDArray xp = NDArrays.concat(new NDList(left, xh, right), 3);                 // (N, C, h+2, w+2)
        NDArray y = x.getNDArrayInternal().convolution(xp, kernel, null, new Shape(1, 1), new Shape(0, 0),
                new Shape(1, 1), Math.toIntExact(c)).singletonOrThrow();             // (N, C f f, h, w)
        NDArray out = y.reshape(n, c, f, f, h, w);
        for (NDArray a : new NDArray[] {top, bottom, xh, left, right, xp, y}) {
            a.close();
        }
        return out;
    }

    /** Phase layout (N, C, fy, fx, h, w) to the image (N, C, h fy, w fx): one copy. */
    public static NDArray toImage(NDArray phase) {
        Shape s = phase.getShape();
        NDArray t = phase.transpose(0, 1, 4, 2, 5, 3);                                // (N, C, h, fy, w, fx)
        NDArray out = t.reshape(s.get(0), s.get(1), s.get(4) * s.get(2), s.get(5) * s.get(3));
        t.close();
        return out;
    }

    /**
     * Labels (N, H, W) in the order of phase-layout logits with factors fy, fx: (N, fy, fx, H/fy,
     * W/fx), a view (no copy).
     */
    public static NDArray labels(NDArray labels, long fy, long fx) {
        Shape s = labels.getShape();
        if (s.dimension() != 3 || s.get(1) % fy != 0 || s.get(2) % fx != 0) {
            throw new IllegalArgumentException("labels " + s + " do not divide into phases of " + fy + " x " + fx);
        }
        NDArray v = labels.reshape(s.get(0), s.get(1) / fy, fy, s.get(2) / fx, fx);  // (N, h, fy, w, fx)
        NDArray out = v.transpose(0, 2, 4, 1, 3);
        v.close();
        return out;
    }

    /**
     * The three weights (row i-1, i, i+1) from which output row i f + r is interpolated: its
     * source position is i + (r + 1/2) / f - 1/2, between rows i-1 and i in the first half of the
     * phases and between i and i+1 in the second.
     */
    static float[][] taps(int f) {
        float[][] t = new float[f][3];
        for (int r = 0; r < f; r++) {
            float d = (r + 0.5f) / f - 0.5f;                                          // in [-1/2, 1/2)
            if (d < 0) {
                t[r][0] = -d;
                t[r][1] = 1 + d;
            } else {
                t[r][1] = 1 - d;
                t[r][2] = d;
            }
        }
        return t;
    }
}
