package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.checkpoint.Tensor;
import dev.bisenet.util.UserException;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Variant;

/** Strict and partial loading, layout detection, and the state dict the model writes. */
class WeightsTest {

    private static BiSeNetV2 net(Model m) {
        return (BiSeNetV2) m.getBlock();
    }

    @Test
    void detectsTheArchitecture() {
        ModelSpec s = ModelSpec.detect(FormulaWeights.stateDict(7, true), "f");
        assertEquals(new ModelSpec(7, Variant.BASE, 1024, true), s);
        ModelSpec large = ModelSpec.detect(FormulaWeights.stateDict(5, false, 2, 3, 2048), "f");
        assertEquals(new ModelSpec(5, Variant.LARGE, 2048, false), large);
        assertEquals(128, ModelSpec.detect(FormulaWeights.stateDict(5, false, 1, 1, 128), "f").headWidth());
    }

    @Test
    void refusesTheOlderReferenceLayoutsByName() {
        StateDict v2020 = FormulaWeights.stateDict(19, false);
        v2020.put("head.conv_out.weight", v2020.remove("head.conv_out.1.weight"));
        UserException e = assertThrows(UserException.class, () -> ModelSpec.detect(v2020, "old.pth"));
        assertTrue(e.getMessage().contains("2020-layout"), e.getMessage());

        StateDict june = FormulaWeights.stateDict(19, false);
        june.remove("head.conv_out.1.weight");
        june.put("head.conv_out.0.weight", Tensor.ofFloats(new long[] {19 * 64, 1024, 1, 1}, new float[19 * 64 * 1024]));
        e = assertThrows(UserException.class, () -> ModelSpec.detect(june, "june.pth"));
        assertTrue(e.getMessage().contains("June-2021-layout"), e.getMessage());

        StateDict other = new StateDict();
        other.put("cp.resnet.conv1.weight", Tensor.ofFloats(new long[] {1}, new float[1]));
        e = assertThrows(UserException.class, () -> ModelSpec.detect(other, "v1.pth"));
        assertTrue(e.getMessage().startsWith("v1.pth: not a BiSeNetV2 checkpoint"), e.getMessage());
    }

    @Test
    void strictLoadingNamesEveryOffender() {
        StateDict sd = FormulaWeights.stateDict(19, false);
        sd.remove("bga.conv.0.weight");
        sd.remove("detail.S1.0.bn.num_batches_tracked"); // optional: not an offender
        sd.put("bga.extra.weight", Tensor.ofFloats(new long[] {2}, new float[2]));
        sd.put("head.conv.bn.bias", Tensor.ofFloats(new long[] {3}, new float[3]));
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(19, false), OutputMode.EVAL)) {
            UserException e = assertThrows(UserException.class,
                    () -> Weights.load(net(m), sd, "bad.pth", Weights.Fit.STRICT));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("bad.pth does not fit the model"), msg);
            assertTrue(msg.contains("missing bga.conv.0.weight"), msg);
            assertTrue(msg.contains("unexpected bga.extra.weight"), msg);
            assertTrue(msg.contains("wrong shape head.conv.bn.bias (3,) in the file, (1024,) in the model"), msg);
        }
    }

    @Test
    void acceptsBoostersPrefixAndMissingBatchCounters() {
        StateDict sd = new StateDict();
        FormulaWeights.stateDict(19, true).asMap().forEach((k, v) -> {
            if (!k.endsWith("num_batches_tracked")) sd.put("module." + k, v);
        });
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(19, false), OutputMode.EVAL)) {
            Weights.Report r = Weights.load(net(m), sd, "f.pth", Weights.Fit.STRICT);
            assertEquals(273, r.loaded(), "the tensors an inference model cannot do without");
        }
    }

    @Test
    void partialLoadingSkipsAnotherClassCount() {
        StateDict city = FormulaWeights.stateDict(19, true);
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(11, true), OutputMode.TRAIN)) {
            Weights.Report r = Weights.load(net(m), city, "city.pth", Weights.Fit.PARTIAL);
            assertEquals(List.of("head.conv_out.1.weight", "head.conv_out.1.bias",
                    "aux2.conv_out.1.weight", "aux2.conv_out.1.bias", "aux3.conv_out.1.weight", "aux3.conv_out.1.bias",
                    "aux4.conv_out.1.weight", "aux4.conv_out.1.bias", "aux5_4.conv_out.1.weight", "aux5_4.conv_out.1.bias"),
                    r.skipped());
            assertEquals(city.get("detail.S1.0.conv.weight").toFloats()[5],
                    WeightNames.of(net(m)).get("detail.S1.0.conv.weight").getArray().toFloatArray()[5]);
        }
        StateDict backbone = new StateDict();
        city.asMap().forEach((k, v) -> {
            if (k.startsWith("detail.") || k.startsWith("segment.")) backbone.put(k, v);
        });
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(11, true), OutputMode.TRAIN)) {
            Weights.Report r = Weights.load(net(m), backbone, "backbone_v2.pth", Weights.Fit.PARTIAL);
            assertTrue(r.missing().contains("bga.conv.0.weight") && r.unexpected().isEmpty(), r.summary());
        }
    }

    @Test
    void writesTheReferenceKeysAndReadsThemBack() {
        StateDict src = FormulaWeights.stateDict(19, true);
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(19, true), OutputMode.TRAIN)) {
            Weights.load(net(m), src, "f", Weights.Fit.STRICT);
            StateDict out = Weights.toStateDict(net(m), 42);
            assertEquals(List.copyOf(src.keys()), List.copyOf(out.keys()), "reference order, counters included");
            assertEquals(42L, out.get("segment.S5_5.bn.num_batches_tracked").toLongs()[0]);
            assertArrayEquals(src.get("aux5_4.conv_out.0.1.conv.weight").toFloats(),
                    out.get("aux5_4.conv_out.0.1.conv.weight").toFloats());
        }
    }
}
