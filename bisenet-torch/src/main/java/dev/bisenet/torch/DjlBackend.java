package dev.bisenet.torch;

import ai.djl.Model;
import dev.bisenet.infer.Backend;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.OutputMode;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * Runs the DJL network on the PyTorch engine (eager, like the reference). One instance per
 * thread: calls on one instance must not overlap; several instances may share one model.
 */
public final class DjlBackend implements Backend {

    private static final PairList<String, Object> PREDICT =
            new PairList<>(List.of(BiSeNetV2.MODE), List.of(OutputMode.PREDICT));
    private static final PairList<String, Object> EVAL =
            new PairList<>(List.of(BiSeNetV2.MODE), List.of(OutputMode.EVAL));

    private final Model model;
    private final BiSeNetV2 net;
    private final boolean ownsModel;
    private final Staging input = new Staging();

    /**
     * @param model a model whose block is a {@link BiSeNetV2} with its weights loaded
     * @param ownsModel whether {@link #close} closes the model too
     */
    public DjlBackend(Model model, boolean ownsModel) {
        this.model = model;
        this.net = (BiSeNetV2) model.getBlock();
        this.ownsModel = ownsModel;
        Engines.applyLogLevel();
    }

    public BiSeNetV2 network() {
        return net;
    }

    @Override
    public int numClasses() {
        return net.numClasses();
    }

    @Override
    public float[] logits(float[] nchw, int n, int h, int w) {
        try (NDManager nd = model.getNDManager().newSubManager()) {
            NDArray out = run(nd, nchw, n, h, w, EVAL);                  // (n, C, h, w)
            return out.toFloatArray();
        }
    }

    @Override
    public void forwardOnly(float[] nchw, int n, int h, int w) {
        try (NDManager nd = model.getNDManager().newSubManager()) {
            run(nd, nchw, n, h, w, EVAL);
        }
    }

    /**
     * Class indices (n, h, w), the argmax computed by the engine inside the graph.
     */
    @Override
    public int[] labels(float[] nchw, int n, int h, int w) {
        try (NDManager nd = model.getNDManager().newSubManager()) {
            NDArray out = run(nd, nchw, n, h, w, PREDICT);               // (n, h, w) int64
            if (net.numClasses() <= 256) {
                // one byte per pixel leaves the engine: 8x less than the int64 argmax, 4x less than int32
                byte[] b = out.toType(DataType.UINT8, false).toByteArray();
                int[] labels = new int[b.length];
                for (int i = 0; i < b.length; i++) labels[i] = b[i] & 0xff;
                return labels;
            }
            return out.toType(DataType.INT32, false).toIntArray();
        }
    }

    private NDArray run(NDManager nd, float[] nchw, int n, int h, int w, PairList<String, Object> mode) {
        if ((long) n * 3 * h * w != nchw.length) {
            throw new IllegalArgumentException("input has " + nchw.length + " values, expected (" + n + ", 3, " + h + ", " + w + ")");
        }
        // Grad mode is per thread in libtorch and on by default: inference must switch it off
        // on every calling thread or the engine records an autograd graph.
        JniUtils.setGradMode(false);
        NDArray x = input.floats(nd, nchw, new Shape(n, 3, h, w)); // closed with `nd` before the next call
        return net.forward(new ParameterStore(nd, false), new NDList(x), false, mode).singletonOrThrow();
    }

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
