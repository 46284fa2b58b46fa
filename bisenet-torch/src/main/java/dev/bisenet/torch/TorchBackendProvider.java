package dev.bisenet.torch;

import ai.djl.Model;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.infer.Backend;
import dev.bisenet.infer.BackendProvider;
import dev.bisenet.model.BiSeNetV2;
import dev.bisenet.model.Init;
import dev.bisenet.model.OutputMode;
import dev.bisenet.model.Weights;
import dev.bisenet.spec.ModelSpec;

/** The {@code pytorch} backend: BiSeNetV2 as DJL blocks on libtorch, eager. */
public final class TorchBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public Backend open(StateDict weights, String source, int threads) {
        Engines.configure(threads);
        ModelSpec spec = ModelSpec.detect(weights, source).withBoosters(false);
        Model model = BiSeNetV2.newModel(spec, OutputMode.PREDICT);
        try {
            Weights.load((BiSeNetV2) model.getBlock(), weights, source, Weights.Fit.STRICT);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return new DjlBackend(model, true);
    }

    @Override
    public StateDict randomWeights(ModelSpec spec, long seed) {
        Engines.configure(0);
        try (Model model = BiSeNetV2.newModel(spec.withBoosters(false), OutputMode.PREDICT)) {
            BiSeNetV2 net = (BiSeNetV2) model.getBlock();
            Init.fromScratch(net, seed);
            return Weights.toStateDict(net, 0);
        }
    }
}
