package dev.bisenet.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ordered map of reference key names to tensors: what {@code torch.save(model.state_dict())}
 * writes and this project reads. Key order is kept as in the file (or as inserted).
 */
public final class StateDict {

    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();

    public StateDict() {}

    public StateDict(Map<String, Tensor> entries) {
        tensors.putAll(entries);
    }

    public void put(String key, Tensor tensor) {
        tensors.put(key, tensor);
    }

    /** The tensor under {@code key}, or null. */
    public Tensor get(String key) {
        return tensors.get(key);
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    public Tensor remove(String key) {
        return tensors.remove(key);
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, Tensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    /**
     * A copy without the {@code module.} prefix that {@code nn.DataParallel} and DDP add, when
     * every key has it; otherwise this same dict.
     */
    public StateDict withoutModulePrefix() {
        if (tensors.isEmpty() || !tensors.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            return this;
        }
        StateDict out = new StateDict();
        tensors.forEach((k, v) -> out.put(k.substring("module.".length()), v));
        return out;
    }

    /** The entries whose keys start with {@code prefix + "."}, with that prefix removed. */
    public StateDict subDict(String prefix) {
        StateDict out = new StateDict();
        String p = prefix + ".";
        tensors.forEach((k, v) -> {
            if (k.startsWith(p)) out.put(k.substring(p.length()), v);
        });
        return out;
    }
}
