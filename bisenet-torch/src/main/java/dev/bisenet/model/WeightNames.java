package dev.bisenet.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one table between the network's DJL parameters and the reference checkpoint keys
 * ({@code detail.S1.0.conv.weight}, {@code segment.S5_5.bn.running_var}, ...). Weight names are
 * an API: the public checkpoints depend on them, so blocks are never reordered casually.
 *
 * <p>The names follow from the block tree: a child of a {@link SequentialBlock} is named by its
 * position (as in {@code nn.Sequential}), any other child by the name it was added under;
 * DJL's BatchNorm parameters take PyTorch's names.
 */
public final class WeightNames {

    private WeightNames() {}

    /** Reference key -> parameter, in the order {@code model.state_dict()} lists them. */
    public static Map<String, Parameter> of(Block model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        walk(model, "", out);
        return out;
    }

    /** The {@code num_batches_tracked} key that belongs to a BatchNorm's running-mean key, or null. */
    public static String batchesTrackedKey(String key) {
        return key.endsWith(".running_mean")
                ? key.substring(0, key.length() - "running_mean".length()) + "num_batches_tracked"
                : null;
    }

    private static void walk(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + torchName(p.getKey()), p.getValue());
        }
        int index = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            // DJL prefixes child names with a two-digit counter ("01conv"); drop it.
            String name = block instanceof SequentialBlock ? Integer.toString(index) : child.getKey().substring(2);
            walk(child.getValue(), prefix + name + ".", out);
            index++;
        }
    }

    private static String torchName(String djlName) {
        switch (djlName) {
            case "gamma":
                return "weight";
            case "beta":
                return "bias";
            case "runningMean":
                return "running_mean";
            case "runningVar":
                return "running_var";
            default:
                return djlName;
        }
    }
}
