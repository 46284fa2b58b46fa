package dev.bisenet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum as PyTorch computes it ({@code d = g + wd * w; buf = m * buf + d;
 * w -= lr * buf}, the first step taking {@code buf = d}), with the reference's parameter groups:
 * no weight decay on 1-D parameters (BatchNorm, biases) and 10x the learning rate for the
 * segmentation head and booster heads.
 *
 * <p>Written here rather than with DJL's {@code Sgd} because DJL's optimisers take one weight
 * decay for all parameters and no per-group learning rate.
 */
public final class Sgd {

    /** The reference's learning-rate multiplier for {@code head.*} and {@code aux*.*}. */
    public static final float HEAD_LR_MULTIPLIER = 10f;

    private final List<Slot> slots = new ArrayList<>();
    private final float momentum;

    private static final class Slot {
        final String name;
        final Parameter param;
        final float lrMult;
        final float weightDecay;
        NDArray buffer; // momentum, created on the first step

        Slot(String name, Parameter param, float lrMult, float weightDecay) {
            this.name = name;
            this.param = param;
            this.lrMult = lrMult;
            this.weightDecay = weightDecay;
        }
    }

    /**
     * @param params reference key -> parameter (trainable ones are kept, running stats skipped)
     */
    public Sgd(Map<String, Parameter> params, float momentum, float weightDecay) {
        this.momentum = momentum;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            String key = e.getKey();
            boolean head = key.startsWith("head.") || key.startsWith("aux");
            boolean decays = p.getArray().getShape().dimension() > 1;
            slots.add(new Slot(key, p, head ? HEAD_LR_MULTIPLIER : 1f, decays ? weightDecay : 0f));
        }
    }

    /** Applies one update with base learning rate {@code lr}, then zeroes the gradients. */
    public void step(double lr) {
        for (Slot s : slots) {
            NDArray w = s.param.getArray();
            // Every temporary goes to `tmp`: an op's result joins the manager of its first operand,
            // which for w and the momentum buffer is the model's, where it would pile up each step.
            try (NDManager tmp = w.getManager().newSubManager()) {
                NDArray g = w.getGradient(); // a view of w.grad, zeroed below
                g.attach(tmp);
                if (s.weightDecay != 0) {
                    NDArray decay = w.mul(s.weightDecay);
                    decay.attach(tmp);
                    g.addi(decay);
                }
                if (s.buffer == null) {
                    s.buffer = g.duplicate();
                    s.buffer.attach(w.getManager());
                } else {
                    s.buffer.muli(momentum).addi(g);
                }
                NDArray update = s.buffer.mul((float) (lr * s.lrMult));
                update.attach(tmp);
                w.subi(update);
            }
            JniUtils.zeroGrad((PtNDArray) w);
        }
    }

    /** Zeroes all gradients without updating (after a skipped step). */
    public void zeroGradients() {
        for (Slot s : slots) {
            JniUtils.zeroGrad((PtNDArray) s.param.getArray());
        }
    }

    /** The momentum buffers, by reference key, for resuming a run. */
    public StateDict state() {
        StateDict sd = new StateDict();
        for (Slot s : slots) {
            if (s.buffer != null) {
                sd.put(s.name, Tensor.ofFloats(s.buffer.getShape().getShape(), s.buffer.toFloatArray()));
            }
        }
        return sd;
    }

    /** Restores momentum buffers written by {@link #state()}. */
    public void load(StateDict sd) {
        Map<String, Slot> byName = new LinkedHashMap<>();
        for (Slot s : slots) byName.put(s.name, s);
        for (String key : sd.keys()) {
            Slot s = byName.get(key);
            if (s == null) continue;
            NDArray w = s.param.getArray();
            if (s.buffer == null) {
                s.buffer = w.getManager().zeros(w.getShape());
            }
            dev.bisenet.model.Weights.assign(s.buffer, sd.get(key).toFloats());
        }
    }

    public int size() {
        return slots.size();
    }
}
