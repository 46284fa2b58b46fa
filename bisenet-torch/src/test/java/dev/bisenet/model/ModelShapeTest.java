package dev.bisenet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.spec.Variant;

class ModelShapeTest {

    private static NDList forward(Model m, NDManager nd, Shape in, boolean training) {
        NDArray x = nd.randomNormal(in);
        return m.getBlock().forward(new ParameterStore(nd, false), new NDList(x), training, new PairList<>());
    }

    private static long trainable(Block b) {
        long n = 0;
        for (Parameter p : WeightNames.of(b).values()) {
            if (p.requiresGradient()) {
                n += p.getArray().size();
            }
        }
        return n;
    }

    @Test
    void parameterCountsEqualTheReference() {
        try (Model eval = BiSeNetV2.newModel(ModelSpec.reference(19, false), OutputMode.EVAL);
                Model train = BiSeNetV2.newModel(ModelSpec.reference(19, true), OutputMode.TRAIN)) {
            assertEquals(3_358_627, trainable(eval.getBlock()));
            assertEquals(5_231_487, trainable(train.getBlock()));
        }
    }

    @Test
    void keysAndShapesEqualTheReleaseCheckpoint() throws IOException {
        Path tsv = dev.bisenet.util.TestPaths.shared("reference/bisenetv2-checkpoint-keys.tsv");
        Assumptions.assumeTrue(Files.exists(tsv), "skipped: " + tsv + " (the reference key list) is absent");
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t");
            if (!f[0].endsWith("num_batches_tracked")) {
                expected.add(f[0] + " " + f[1]);
            }
        }
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(19, true), OutputMode.TRAIN)) {
            List<String> actual = new ArrayList<>();
            for (Map.Entry<String, Parameter> e : WeightNames.of(m.getBlock()).entrySet()) {
                actual.add(e.getKey() + " " + dev.bisenet.checkpoint.Tensor.shapeString(e.getValue().getArray().getShape().getShape()));
            }
            assertEquals(expected, actual);
        }
    }

    @Test
    void outputShapesAt512x1024() {
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(19, true), OutputMode.TRAIN);
                NDManager nd = NDManager.newBaseManager()) {
            NDList eval = forward(m, nd, new Shape(1, 3, 512, 1024), false);
            assertEquals(1, eval.size());
            assertEquals(new Shape(1, 19, 512, 1024), eval.head().getShape());
            NDList predict = m.getBlock().forward(new ParameterStore(nd, false),
                    new NDList(nd.randomNormal(new Shape(1, 3, 512, 1024))), false,
                    new PairList<>(List.of(BiSeNetV2.MODE), List.of(OutputMode.PREDICT)));
            assertEquals(new Shape(1, 512, 1024), predict.head().getShape());
            assertEquals(DataType.INT64, predict.head().getDataType());
        }
    }

    @Test
    void trainModeReturnsMainAndFourBoosterOutputs() {
        try (Model m = BiSeNetV2.newModel(ModelSpec.reference(11, true), OutputMode.TRAIN);
                NDManager nd = NDManager.newBaseManager()) {
            NDList out = forward(m, nd, new Shape(2, 3, 64, 96), true);
            assertEquals(5, out.size());
            for (NDArray o : out) {
                assertEquals(new Shape(2, 11, 64, 96), o.getShape());
            }
        }
    }

    @Test
    void blockShapes() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Shape in = new Shape(2, 16, 32, 48);
            GELayerS2 s2 = new GELayerS2(16, 32);
            s2.initialize(nd, DataType.FLOAT32, in);
            NDList y = s2.forward(new ParameterStore(nd, false), new NDList(nd.ones(in)), false);
            assertEquals(new Shape(2, 32, 16, 24), y.head().getShape());
            assertEquals(y.head().getShape(), s2.getOutputShapes(new Shape[] {in})[0]);

            GELayerS1 s1 = new GELayerS1(32);
            s1.initialize(nd, DataType.FLOAT32, new Shape(2, 32, 16, 24));
            assertEquals(new Shape(2, 32, 16, 24),
                    s1.forward(new ParameterStore(nd, false), y, false).head().getShape());

            StemBlock stem = new StemBlock(Variant.BASE);
            Shape img = new Shape(1, 3, 64, 96);
            stem.initialize(nd, DataType.FLOAT32, img);
            assertEquals(new Shape(1, 16, 16, 24),
                    stem.forward(new ParameterStore(nd, false), new NDList(nd.ones(img)), false).head().getShape());

            DetailBranch detail = new DetailBranch(Variant.BASE);
            detail.initialize(nd, DataType.FLOAT32, img);
            assertEquals(new Shape(1, 128, 8, 12),
                    detail.forward(new ParameterStore(nd, false), new NDList(nd.ones(img)), false).head().getShape());

            SegmentBranch seg = new SegmentBranch(Variant.BASE);
            seg.initialize(nd, DataType.FLOAT32, img);
            NDList fs = seg.forward(new ParameterStore(nd, false), new NDList(nd.ones(img)), false);
            Shape[] expected = {new Shape(1, 16, 16, 24), new Shape(1, 32, 8, 12), new Shape(1, 64, 4, 6),
                new Shape(1, 128, 2, 3), new Shape(1, 128, 2, 3)};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], fs.get(i).getShape(), "semantic output " + i);
            }
            assertArrayEquals(expected, seg.getOutputShapes(new Shape[] {img}));

            BGALayer bga = new BGALayer(128);
            bga.initialize(nd, DataType.FLOAT32, new Shape(1, 128, 8, 12), new Shape(1, 128, 2, 3));
            assertEquals(new Shape(1, 128, 8, 12), bga.forward(new ParameterStore(nd, false),
                    new NDList(nd.ones(new Shape(1, 128, 8, 12)), nd.ones(new Shape(1, 128, 2, 3))), false).head().getShape());
        }
    }

    @Test
    void largeVariantBuildsTrainsAndRuns() {
        try (Model m = BiSeNetV2.newModel(new ModelSpec(5, Variant.LARGE, Variant.LARGE.defaultHeadWidth(), true), OutputMode.TRAIN);
                NDManager nd = NDManager.newBaseManager()) {
            Map<String, Parameter> names = WeightNames.of(m.getBlock());
            assertTrue(names.containsKey("segment.S3.3.conv2.1.weight"), "S3 has 1 + 3 GE layers");
            assertTrue(names.containsKey("segment.S5_4.9.conv2.1.weight"), "S5_4 has 1 + 9 GE layers");
            assertFalse(names.containsKey("segment.S5_4.10.conv2.1.weight"));
            assertEquals(128, names.get("detail.S1.0.conv.weight").getArray().getShape().get(0));
            NDList out = forward(m, nd, new Shape(2, 3, 64, 64), true);
            assertEquals(5, out.size());
            assertEquals(new Shape(2, 5, 64, 64), out.head().getShape());
        }
    }
}
