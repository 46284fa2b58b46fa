package dev.bisenet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.Tensor;
import dev.bisenet.util.UserException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Moves weights between a {@link BiSeNetV2} and a reference-layout {@link StateDict}, both ways. */
public final class Weights {

    /** How strictly a state dict must fit the model. */
    public enum Fit {
        /**
         * Every parameter of the model must be in the file with its shape; keys the model does
         * not have are an error, except booster heads (when the model has none) and
         * {@code num_batches_tracked}, which are optional.
         */
        STRICT,
        /**
         * Fine-tuning: take what fits, keep the model's own values for the rest. Keys with
         * another shape (the classifier of another class count) are skipped, missing keys stay
         * initialised, unknown keys are ignored; each list is reported.
         */
        PARTIAL
    }

    /** What a load did; the lists name reference keys. */
    public record Report(int loaded, List<String> missing, List<String> skipped, List<String> unexpected) {
        public String summary() {
            StringBuilder s = new StringBuilder(loaded + " tensors loaded");
            if (!skipped.isEmpty()) s.append("; skipped (shape differs): ").append(names(skipped));
            if (!missing.isEmpty()) s.append("; not in the file, left initialised: ").append(names(missing));
            if (!unexpected.isEmpty()) s.append("; ignored (unknown to the model): ").append(names(unexpected));
            return s.toString();
        }
    }

    private Weights() {}

    /**
     * Copies {@code sd} into {@code model}.
     *
     * @param source file name for messages
     * @throws UserException in STRICT mode when anything is missing, unexpected or of the wrong
     *     shape (all offenders named), and in both modes when nothing at all matches
     */
    public static Report load(BiSeNetV2 model, StateDict sd, String source, Fit fit) {
        sd = sd.withoutModulePrefix();
        Map<String, Parameter> params = WeightNames.of(model);
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = sd.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue().getArray().getShape().getShape())) {
                wrongShape.add(e.getKey() + " " + Tensor.shapeString(t.shape()) + " in the file, "
                        + Tensor.shapeString(e.getValue().getArray().getShape().getShape()) + " in the model");
            }
        }
        for (String key : sd.keys()) {
            if (params.containsKey(key) || isOptional(key, params, model)) {
                continue;
            }
            unexpected.add(key);
        }
        if (fit == Fit.STRICT && !(missing.isEmpty() && wrongShape.isEmpty() && unexpected.isEmpty())) {
            StringBuilder m = new StringBuilder(source + " does not fit the model (" + describe(model) + "):");
            if (!missing.isEmpty()) m.append(" missing ").append(names(missing)).append(';');
            if (!wrongShape.isEmpty()) m.append(" wrong shape ").append(names(wrongShape)).append(';');
            if (!unexpected.isEmpty()) m.append(" unexpected ").append(names(unexpected)).append(';');
            throw new UserException(m.substring(0, m.length() - 1));
        }
        int loaded = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = sd.get(e.getKey());
            if (t != null && Arrays.equals(t.shape(), e.getValue().getArray().getShape().getShape())) {
                assign(e.getValue().getArray(), t.toFloats());
                loaded++;
            }
        }
        model.parametersChanged();
        if (loaded == 0) {
            throw new UserException(source + ": no tensor in it matches a BiSeNetV2 parameter (it has "
                    + sd.size() + " keys); is it a checkpoint of this network?");
        }
        List<String> skipped = new ArrayList<>();
        for (String w : wrongShape) skipped.add(w.substring(0, w.indexOf(' ')));
        return new Report(loaded, missing, skipped, unexpected);
    }

    /**
     * The model's weights as a reference state dict: the keys and order of
     * {@code model.state_dict()} in the reference implementation, BatchNorm
     * {@code num_batches_tracked} included.
     */
    public static StateDict toStateDict(BiSeNetV2 model, long numBatchesTracked) {
        StateDict sd = new StateDict();
        for (Map.Entry<String, Parameter> e : WeightNames.of(model).entrySet()) {
            NDArray a = e.getValue().getArray();
            sd.put(e.getKey(), Tensor.ofFloats(a.getShape().getShape(), a.toFloatArray()));
            if (e.getKey().endsWith(".running_var")) {
                String prefix = e.getKey().substring(0, e.getKey().length() - "running_var".length());
                sd.put(prefix + "num_batches_tracked", Tensor.scalarLong(numBatchesTracked));
            }
        }
        return sd;
    }

    /**
     * Overwrites an array's values in place (the same NDArray object, so parameters keep their
     * identity). Not {@code NDArray.set}: in this DJL version it makes libtorch print a
     * deprecation warning, and leaves the tensor aliasing a Java direct buffer.
     */
    public static void assign(NDArray target, float[] values) {
        try (NDArray src = target.getManager().create(FloatBuffer.wrap(values), target.getShape())) {
            target.intern(src.duplicate()); // duplicate: a native copy that owns its memory
        }
    }

    private static boolean isOptional(String key, Map<String, Parameter> params, BiSeNetV2 model) {
        if (key.endsWith(".num_batches_tracked")) {
            String base = key.substring(0, key.length() - "num_batches_tracked".length());
            return params.containsKey(base + "running_mean")
                    || (!model.hasBoosters() && key.startsWith("aux"));
        }
        // A model built without booster heads (inference) takes files saved with them.
        return !model.hasBoosters() && key.startsWith("aux");
    }

    static String describe(BiSeNetV2 model) {
        return model.variant().name().toLowerCase() + ", " + model.numClasses() + " classes, head width "
                + model.headWidth() + (model.hasBoosters() ? ", with booster heads" : "");
    }

    private static String names(List<String> keys) {
        int shown = Math.min(keys.size(), 8);
        String s = String.join(", ", keys.subList(0, shown));
        return keys.size() > shown ? s + " ... and " + (keys.size() - shown) + " more" : s;
    }
}
