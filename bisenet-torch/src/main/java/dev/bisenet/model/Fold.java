package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/**
 * A convolution with the BatchNorm after it folded in, for inference: {@code BN(conv(x, W))} with
 * running statistics is {@code conv(x, W * s) + (beta - mean * s)}, {@code s = gamma / sqrt(var + eps)}
 * per output channel. One pass over the activation instead of two, and one allocation less.
 *
 * <p>Deviation from the reference's eager forward, which runs every BatchNorm as its own pass:
 * the logits differ by float rounding only ({@code FoldTest}), and the network alone at 512x1024
 * is faster (docs/benchmarks.md, "The network alone within 10%"). Training never folds (BatchNorm uses the
 * batch's statistics there); {@link BiSeNetV2} folds at the first inference forward and drops the
 * folds at the next training forward or weight load, so they never outlive the weights they were
 * made from. {@code -Dbisenet.foldBatchNorm=false} turns folding off.
 */
final class Fold implements AutoCloseable {

    /** Whether inference forwards fold BatchNorm (system property {@code bisenet.foldBatchNorm}, default true). */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("bisenet.foldBatchNorm"));

    private final Conv2d conv;
    private final NDArray weight;                                           // (out, in / groups, k, k)
    private final NDArray bias;                                             // (out)

    private Fold(Conv2d conv, NDArray weight, NDArray bias) {
        this.conv = conv;
        this.weight = weight;
        this.bias = bias;
    }

    /** Folds {@code bn} into {@code conv}; the arrays live in the conv weight's manager until {@link #close}. */
    static Fold of(Conv2d conv, BatchNorm bn) {
        NDArray w = param(conv, "weight");
        NDArray gamma = param(bn, "gamma");
        NDArray beta = param(bn, "beta");
        NDArray mean = param(bn, "runningMean");
        NDArray var = param(bn, "runningVar");
        long out = w.getShape().get(0);
        // Each intermediate is closed at once; stopGradient keeps the folds out of any autograd
        // graph (a validation forward may run while parameters still require gradients).
        NDArray ve = var.add(Layers.BN_EPS);
        NDArray sd = ve.sqrt();
        NDArray s = gamma.div(sd);                                                  // (out)
        NDArray s4 = s.reshape(out, 1, 1, 1);
        NDArray ws = w.mul(s4);
        NDArray ms = mean.mul(s);
        NDArray b = beta.sub(ms);
        if (conv.isIncludeBias()) {
            NDArray cb = param(conv, "bias").mul(s);
            NDArray sum = b.add(cb);
            cb.close();
            b.close();
            b = sum;
        }
        NDArray weight = ws.stopGradient();
        NDArray bias = b.stopGradient();
        for (NDArray t : new NDArray[] {ve, sd, s, s4, ws, ms, b}) {
            t.close();
        }
        return new Fold(conv, weight, bias);
    }

    private static NDArray param(Block b, String name) {
        return b.getParameters().get(name).getArray();
    }

    /** The folded convolution of {@code x}: what {@code bn(conv(x))} gives in inference. */
    NDArray apply(NDArray x) {
        NDList y = Conv2d.conv2d(x, weight, bias, conv.getStride(), conv.getPadding(), conv.getDilation(), conv.getGroups());
        return y.singletonOrThrow();
    }

    @Override
    public void close() {
        weight.close();
        bias.close();
    }
}
