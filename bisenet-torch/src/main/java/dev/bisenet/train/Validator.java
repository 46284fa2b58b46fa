package dev.bisenet.train;

import dev.bisenet.infer.Backend;

/** Scores the model on held-out data during training. */
@FunctionalInterface
public interface Validator {

    /** Mean IoU (a fraction) of {@code model} on the validation split. */
    double meanIoU(Backend model) throws Exception;
}
