package dev.bisenet.infer;

import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.spec.ModelSpec;

/**
 * An engine other than ONNX Runtime that can run a checkpoint, found on the classpath with
 * {@link java.util.ServiceLoader}: {@code bisenet-torch} provides {@code pytorch} (libtorch
 * through DJL). The core needs none: without a provider, {@code .pth} files run on ONNX Runtime.
 */
public interface BackendProvider {

    /** The backend's name as {@code --backend} spells it, such as {@code pytorch}. */
    String name();

    /**
     * The network of a state dict (reference layout, {@code module.} prefix removed), loaded
     * strictly: every key must fit.
     *
     * @param source the file name, for messages
     */
    Backend open(StateDict weights, String source, int threads);

    /** Weights of a freshly initialised network (the paper's initialisation), for trying the tool. */
    StateDict randomWeights(ModelSpec spec, long seed);
}
