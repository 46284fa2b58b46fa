package dev.bisenet.train;

import dev.bisenet.data.Preset;
import java.util.SplittableRandom;

/**
 * The reference's training augmentation, applied to an image and its labels together: random
 * scale (image bilinear, labels nearest), pad where the scaled image is smaller than the crop
 * (image black, labels ignore), random crop, horizontal flip with p = 0.5, colour jitter
 * (brightness, contrast, saturation; strength 0.4 in the reference, {@code --jitter}), then
 * normalisation into the batch buffer. The jitter's factors are drawn after the crop's, scale's
 * and flip's, so a run with another strength (or none) sees the same windows.
 *
 * <p>One addition of this project, off unless asked for ({@code --class-crops P}): with
 * probability P the crop is placed on a class instead of anywhere. A class is drawn uniformly
 * among those the sample's labels hold, then one of its pixels, and the window is placed at random
 * among the positions that contain that pixel. A random window mostly shows road, sky and
 * building; a pole, a sign or a cyclist is in it only when it happens to be (class-uniform
 * sampling, as in Zhu et al. 2019, "Improving Semantic Segmentation via Video Propagation and
 * Label Relaxation", there drawn over the dataset, here within each sample so that the data order
 * stays the seed's).
 *
 * <p>Only the crop's pixels are computed: each output pixel is traced back through flip, crop,
 * pad and scale to the source, so no scaled or padded copy of the image is ever made.
 */
public final class JointTransform {

    /**
     * Augmentation settings.
     *
     * @param jitter colour jitter strength j: brightness, contrast and saturation factors drawn
     *     from [max(0, 1 - j), 1 + j]; 0 or less: none
     * @param classCrop probability, 0 to 1, that a crop is placed on a class drawn uniformly among
     *     the sample's (0: the reference's uniformly placed crops, with the same random draws)
     */
    public record Params(int cropHeight, int cropWidth, double scaleMin, double scaleMax, float jitter,
            float[] mean, float[] std, double classCrop) {

        public Params {
            if (!(classCrop >= 0 && classCrop <= 1)) {
                throw new IllegalArgumentException("class crop probability must be in [0, 1], got " + classCrop);
            }
        }

        /** The reference's augmentation: crops placed uniformly. */
        public Params(int cropHeight, int cropWidth, double scaleMin, double scaleMax, float jitter, float[] mean, float[] std) {
            this(cropHeight, cropWidth, scaleMin, scaleMax, jitter, mean, std, 0);
        }
    }

    private final Params p;

    public JointTransform(Params p) {
        this.p = p;
    }

    /**
     * Writes one augmented sample into slot {@code slot} of a batch: images (n, 3, cropH, cropW)
     * normalised, labels (n, cropH, cropW).
     */
    public void apply(int h, int w, byte[] rgb, byte[] labels, SplittableRandom rng,
            float[] images, byte[] outLabels, int slot) {
        int ch = p.cropHeight(), cw = p.cropWidth();
        double scale = p.scaleMin() + rng.nextDouble() * (p.scaleMax() - p.scaleMin());
        int sh = (int) Math.ceil(h * scale), sw = (int) Math.ceil(w * scale);
        int padH = sh < ch ? (ch - sh) / 2 + 1 : 0;
        int padW = sw < cw ? (cw - sw) / 2 + 1 : 0;
        int offY = (int) (rng.nextDouble() * (sh + 2 * padH - ch));
        int offX = (int) (rng.nextDouble() * (sw + 2 * padW - cw));
        if (p.classCrop() > 0 && rng.nextDouble() < p.classCrop()) {
            int at = classPixel(labels, h * w, rng);
            if (at >= 0) { // the pixel's place in the scaled and padded image (the labels' nearest rule, inverted)
                offY = windowOver(Math.min((int) ((at / w + 0.5) * sh / h), sh - 1) + padH, sh + 2 * padH, ch, rng);
                offX = windowOver(Math.min((int) ((at % w + 0.5) * sw / w), sw - 1) + padW, sw + 2 * padW, cw, rng);
            }
        }
        boolean flip = rng.nextDouble() >= 0.5; // the reference keeps the image when random() < 0.5
        float brightness = jitter(rng), contrast = jitter(rng), saturation = jitter(rng);

        // Rows and columns of the crop traced back to the source: -1 = padding.
        int[] y0 = new int[ch], y1 = new int[ch], ly = new int[ch];
        float[] fy = new float[ch];
        trace(ch, offY - padH, sh, h, false, y0, y1, fy, ly);
        int[] x0 = new int[cw], x1 = new int[cw], lx = new int[cw];
        float[] fx = new float[cw];
        trace(cw, offX - padW, sw, w, flip, x0, x1, fx, lx);

        int[] lut = jitterTable(brightness, contrast);
        float[] m = saturationMatrix(saturation);
        int plane = ch * cw;
        int base = slot * 3 * plane;
        float[] scaleC = new float[3], shiftC = new float[3];
        for (int c = 0; c < 3; c++) {
            scaleC[c] = 1f / (255f * p.std()[c]);
            shiftC[c] = -p.mean()[c] / p.std()[c];
        }
        int labelBase = slot * plane;
        for (int y = 0; y < ch; y++) {
            boolean padRow = y0[y] < 0;
            int r0 = y0[y] * w, r1 = y1[y] * w;
            float wy = fy[y];
            for (int x = 0; x < cw; x++) {
                int o = y * cw + x;
                float r = 0, g = 0, b = 0;
                if (padRow || x0[x] < 0) {
                    outLabels[labelBase + o] = (byte) Preset.IGNORE;
                } else {
                    float wx = fx[x];
                    int a = 3 * (r0 + x0[x]), bb = 3 * (r0 + x1[x]), cc = 3 * (r1 + x0[x]), d = 3 * (r1 + x1[x]);
                    r = lerp2(rgb, a, bb, cc, d, wx, wy);
                    g = lerp2(rgb, a + 1, bb + 1, cc + 1, d + 1, wx, wy);
                    b = lerp2(rgb, a + 2, bb + 2, cc + 2, d + 2, wx, wy);
                    outLabels[labelBase + o] = labels[ly[y] * w + lx[x]];
                }
                // 8-bit rounding like cv2.resize, then the jitter tables and the saturation mix
                int ri = lut[Math.round(r)], gi = lut[Math.round(g)], bi = lut[Math.round(b)];
                float rs = sat(m, 0, ri, gi, bi), gs = sat(m, 1, ri, gi, bi), bs = sat(m, 2, ri, gi, bi);
                images[base + o] = rs * scaleC[0] + shiftC[0];
                images[base + plane + o] = gs * scaleC[1] + shiftC[1];
                images[base + 2 * plane + o] = bs * scaleC[2] + shiftC[2];
            }
        }
    }

    /**
     * A pixel of a class drawn uniformly among the classes present in {@code labels} (the ignore
     * label aside): its index in the label array, or -1 when every pixel is ignored.
     */
    static int classPixel(byte[] labels, int n, SplittableRandom rng) {
        int[] count = new int[256];
        for (int i = 0; i < n; i++) {
            count[labels[i] & 0xff]++;
        }
        count[Preset.IGNORE] = 0;
        int present = 0;
        for (int c : count) {
            present += c > 0 ? 1 : 0;
        }
        if (present == 0) {
            return -1;
        }
        int pick = rng.nextInt(present), cls = -1;
        for (int c = 0; c < 256 && pick >= 0; c++) {
            if (count[c] > 0 && pick-- == 0) {
                cls = c;
            }
        }
        int k = rng.nextInt(count[cls]);
        for (int i = 0; i < n; i++) {
            if ((labels[i] & 0xff) == cls && k-- == 0) {
                return i;
            }
        }
        throw new AssertionError("counted pixels of class " + cls + " not found");
    }

    /** An offset, uniform among those whose window of {@code size} within {@code extent} covers {@code pos}. */
    static int windowOver(int pos, int extent, int size, SplittableRandom rng) {
        int lo = Math.max(0, pos - size + 1), hi = Math.min(pos, Math.max(0, extent - size));
        return lo + rng.nextInt(hi - lo + 1);
    }

    /**
     * Maps output positions 0..n-1 to source indices: position + offset in the scaled image
     * (size {@code scaled}), then to the source (size {@code src}) with cv2's half-pixel
     * bilinear rule (two taps and a weight) and its nearest rule (floor) for labels.
     */
    static void trace(int n, int offset, int scaled, int src, boolean flip, int[] i0, int[] i1, float[] f, int[] nearest) {
        double ratio = (double) src / scaled;
        for (int k = 0; k < n; k++) {
            int pos = (flip ? n - 1 - k : k) + offset;
            if (pos < 0 || pos >= scaled) {
                i0[k] = i1[k] = nearest[k] = -1;
                continue;
            }
            double s = Math.max(0, (pos + 0.5) * ratio - 0.5);
            int a = Math.min((int) s, src - 1);
            i0[k] = a;
            i1[k] = Math.min(a + 1, src - 1);
            f[k] = (float) (s - a);
            nearest[k] = Math.min((int) (pos * ratio), src - 1);
        }
    }

    private static float lerp2(byte[] px, int a, int b, int c, int d, float wx, float wy) {
        float top = (px[a] & 0xff) + wx * ((px[b] & 0xff) - (px[a] & 0xff));
        float bottom = (px[c] & 0xff) + wx * ((px[d] & 0xff) - (px[c] & 0xff));
        return top + wy * (bottom - top);
    }

    private float jitter(SplittableRandom rng) {
        float j = p.jitter();
        if (j <= 0) {
            return 1f;
        }
        double lo = Math.max(1 - j, 0), hi = 1 + j; // the reference's range
        return (float) (lo + rng.nextDouble() * (hi - lo));
    }

    /** Brightness (v * b), then contrast around 74 ((v - 74) * c + 74), each clipped to 8 bits as the reference does. */
    static int[] jitterTable(float brightness, float contrast) {
        int[] t = new int[256];
        for (int v = 0; v < 256; v++) {
            int bv = clip8(v * brightness);
            t[v] = clip8(74 + (bv - 74) * contrast);
        }
        return t;
    }

    /** The reference's saturation mix: a 3x3 matrix (1 + 2s on the diagonal, 1 - s elsewhere), divided by 3. */
    static float[] saturationMatrix(float s) {
        float d = (1 + 2 * s) / 3, o = (1 - s) / 3;
        return new float[] {d, o, o, o, d, o, o, o, d};
    }

    private static float sat(float[] m, int row, int r, int g, int b) {
        if (m[0] == 1f) {
            return row == 0 ? r : row == 1 ? g : b;
        }
        // rgb (row vector) times the matrix, then truncated to 8 bits like astype(uint8)
        float v = r * m[row] + g * m[3 + row] + b * m[6 + row];
        return clip8(v);
    }

    private static int clip8(float v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
    }
}
