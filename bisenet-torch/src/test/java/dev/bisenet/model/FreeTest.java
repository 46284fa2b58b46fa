package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.bisenet.spec.ModelSpec;
import org.junit.jupiter.api.Test;

/** The forward frees its intermediates as it goes (see {@link Free}), in inference and training. */
class FreeTest {

    /**
     * Arrays left in the step's manager after a forward: the input, the outputs, and the two
     * interpolation matrices of each head's upsampling (made from Java memory, kept on purpose).
     * Without freeing, every intermediate stays: 182 arrays in inference at this size.
     */
    @Test
    void aForwardLeavesOnlyItsInputOutputsAndUpsamplingMatrices() {
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(11, true), OutputMode.TRAIN)) {
            for (boolean training : new boolean[] {false, true}) {
                try (NDManager step = m.getNDManager().newSubManager()) {
                    NDArray x = step.randomNormal(new Shape(2, 3, 64, 96));
                    NDList out = m.getBlock().forward(new ParameterStore(step, false), new NDList(x), training, new PairList<>());
                    int heads = training ? 5 : 1;
                    assertEquals(heads, out.size());
                    int left = ((BaseNDManager) step).getManagedArrays().size();
                    int expected = 1 + heads + 2 * heads;
                    assertTrue(left <= expected, (training ? "training" : "inference") + ": " + left
                            + " arrays left after the forward, expected at most " + expected);
                    for (NDArray o : out) {
                        assertEquals(new Shape(2, 11, 64, 96), o.getShape()); // outputs still readable
                        assertTrue(o.toFloatArray().length > 0);
                    }
                }
            }
        }
    }
}
