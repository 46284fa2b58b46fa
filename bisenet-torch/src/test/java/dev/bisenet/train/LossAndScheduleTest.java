package dev.bisenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OHEM, the schedule and the SGD groups, against values worked out by hand. */
class LossAndScheduleTest {

    private static float loss(NDManager nd, float[] logits, int classes, long[] labels, boolean ohem) {
        return weighted(nd, logits, classes, labels, ohem, null);
    }

    @Test
    void ohemKeepsPixelsAboveTheThreshold() {
        try (NDManager nd = NDManager.newBaseManager()) {
            // pixels: (0,0)->ln2 hard; (2,0)->ln(1+e^-2)=0.1269 easy; (0,3)->ln(1+e^3)=3.0486 hard; ignored
            float[] logits = {0, 2, 0, 9, /* class 1: */ 0, 0, 3, 0};
            long[] labels = {0, 0, 0, 255};
            // 3 valid pixels, at least 3/16 = 0 kept: the two hard ones
            double hard = (Math.log(2) + Math.log1p(Math.exp(3))) / 2;
            assertEquals(hard, loss(nd, logits, 2, labels, true), 1e-5);
            double plain = (Math.log(2) + Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(3))) / 3;
            assertEquals(plain, loss(nd, logits, 2, labels, false), 1e-5);
        }
    }

    @Test
    void ohemKeepsAtLeastOneSixteenthOfValidPixels() {
        try (NDManager nd = NDManager.newBaseManager()) {
            int px = 32;
            float[] logits = new float[2 * px];
            long[] labels = new long[px];
            for (int i = 1; i < px; i++) logits[i] = 5; // easy: loss ln(1 + e^-5)
            // pixel 0: logits (0, 0) -> ln 2, the only hard pixel; 32 / 16 = 2 must be kept
            double expected = (Math.log(2) + Math.log1p(Math.exp(-5))) / 2;
            assertEquals(expected, loss(nd, logits, 2, labels, true), 1e-5);
        }
    }

    /** Logits in phase layout with the labels rearranged to match: the same loss and the same gradient. */
    @Test
    void phaseLayoutLogitsGiveTheSameLossAndGradient() {
        Engine.getEngine("PyTorch").setRandomSeed(3);
        try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
            int n = 2, c = 5, f = 4, h = 3, w = 5;
            NDArray phase = nd.randomNormal(new Shape(n, c, f, f, h, w));
            long[] y = new long[n * h * f * w * f];
            java.util.Random r = new java.util.Random(7);
            for (int i = 0; i < y.length; i++) y[i] = r.nextInt(10) == 0 ? 255 : r.nextInt(c);
            NDArray labels = nd.create(y, new Shape(n, (long) h * f, (long) w * f));
            for (float[] weights : new float[][] {null, {1, 2, 0.5f, 3, 1}}) {
                for (boolean ohem : new boolean[] {true, false}) {
                    OhemCrossEntropyLoss loss = new OhemCrossEntropyLoss("t", 255, ohem, weights);
                    float[][] value = new float[2][];
                    float[][] grad = new float[2][];
                    for (int way = 0; way < 2; way++) {
                        NDArray p = phase.duplicate();
                        p.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray logits = way == 0 ? p : dev.bisenet.model.PhaseLayout.toImage(p);
                            NDArray l = loss.evaluate(new NDList(labels), new NDList(logits));
                            value[way] = new float[] {l.getFloat()};
                            gc.backward(l);
                        }
                        grad[way] = p.getGradient().toFloatArray();
                    }
                    String what = (weights == null ? "unweighted" : "weighted") + (ohem ? " OHEM" : " plain");
                    assertEquals(value[1][0], value[0][0], 1e-6f, what + ": loss");
                    for (int i = 0; i < grad[0].length; i++) {
                        assertEquals(grad[1][i], grad[0][i], 1e-7f, what + ": gradient at " + i);
                    }
                }
            }
        }
    }

    private static float weighted(NDManager nd, float[] logits, int classes, long[] labels, boolean ohem, float[] w) {
        int px = labels.length;
        NDArray l = nd.create(logits, new Shape(1, classes, 1, px));
        NDArray y = nd.create(labels, new Shape(1, 1, px));
        return new OhemCrossEntropyLoss("t", 255, ohem, w).evaluate(new NDList(y), new NDList(l)).getFloat();
    }

    @Test
    void classWeightsAverageTheKeptPixelsAsPyTorchsWeightedCrossEntropy() {
        try (NDManager nd = NDManager.newBaseManager()) {
            // pixels: label 0 with logits (0,0) -> ln2 (hard); label 1 with (2,0) -> ln(1+e^2) = 2.1269 (hard);
            // label 0 with (3,0) -> ln(1+e^-3) = 0.0486 (easy); ignored
            float[] logits = {0, 2, 3, 9, /* class 1: */ 0, 0, 0, 0};
            long[] labels = {0, 1, 0, 255};
            double l0 = Math.log(2), l1 = Math.log1p(Math.exp(2)), l2 = Math.log1p(Math.exp(-3));
            float[] w = {1f, 3f};
            // OHEM picks hard pixels by their unweighted loss (0 and 1), then (1*l0 + 3*l1) / (1 + 3)
            assertEquals((l0 + 3 * l1) / 4, weighted(nd, logits, 2, labels, true, w), 1e-5);
            // plain cross entropy: (1*l0 + 3*l1 + 1*l2) / 5, as torch's CrossEntropyLoss(weight=w)
            assertEquals((l0 + 3 * l1 + l2) / 5, weighted(nd, logits, 2, labels, false, w), 1e-5);
            // weights of 1 are the unweighted loss; a zero weight drops the class
            assertEquals(loss(nd, logits, 2, labels, true), weighted(nd, logits, 2, labels, true, new float[] {1, 1}), 1e-6);
            assertEquals(l1, weighted(nd, logits, 2, labels, true, new float[] {0, 1}), 1e-5);
        }
    }

    @Test
    void classWeightsOnTheMinimumKeptPixels() {
        try (NDManager nd = NDManager.newBaseManager()) {
            int px = 32;
            float[] logits = new float[2 * px];
            long[] labels = new long[px];
            for (int i = 1; i < px; i++) logits[i] = 5;   // easy class-0 pixels: ln(1 + e^-5)
            labels[0] = 1;                                 // pixel 0: class 1, logits (0, 0): ln 2, the only hard one
            // two kept (32 / 16): pixel 0 (weight 2) and one easy class-0 pixel (weight 1)
            double expected = (2 * Math.log(2) + Math.log1p(Math.exp(-5))) / 3;
            assertEquals(expected, weighted(nd, logits, 2, labels, true, new float[] {1, 2}), 1e-5);
        }
    }

    @Test
    void warmupThenPoly() {
        LrSchedule s = new LrSchedule(0.01, 1000, 0.1, 10_000, 0.9);
        assertEquals(0.001, s.lr(0), 1e-12);
        assertEquals(0.01 * Math.pow(0.1, 0.5), s.lr(500), 1e-12);
        assertEquals(0.01, s.lr(1000), 1e-12);
        assertEquals(0.01 * Math.pow(0.5, 0.9), s.lr(5500), 1e-12);
        assertEquals(0.0, s.lr(10_000), 1e-12);
        assertEquals(200, LrSchedule.reference(0.01, 1000).warmup(), "short runs warm up over a fifth");
    }

    @Test
    void sgdGroupsFollowTheReference() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("head.conv.conv.weight", param(nd, "a", new Shape(1, 1, 1, 2), 1f));
            params.put("detail.S1.0.bn.weight", param(nd, "b", new Shape(2), 1f));
            params.put("detail.S1.0.conv.weight", param(nd, "c", new Shape(1, 1, 1, 2), 1f));
            Sgd sgd = new Sgd(params, 0.9f, 0.1f);
            for (int step = 0; step < 2; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray sum = null;
                    for (Parameter p : params.values()) {
                        NDArray s = p.getArray().sum(); // gradient 1 everywhere
                        sum = sum == null ? s : sum.add(s);
                    }
                    gc.backward(sum);
                }
                sgd.step(0.5);
            }
            // plain conv: d = 1 + 0.1 w; buf1 = d1; w1 = 1 - 0.5 * 1.1 = 0.45;
            // d2 = 1 + 0.045 = 1.045; buf2 = 0.9 * 1.1 + 1.045 = 2.035; w2 = 0.45 - 0.5 * 2.035 = -0.5675
            assertEquals(-0.5675f, params.get("detail.S1.0.conv.weight").getArray().getFloat(0, 0, 0, 0), 1e-6f);
            // 1-D: no decay: w1 = 0.5, buf2 = 1.9, w2 = 0.5 - 0.95 = -0.45
            assertEquals(-0.45f, params.get("detail.S1.0.bn.weight").getArray().getFloat(0), 1e-6f);
            // head: 10x lr (5.0): w1 = 1 - 5 * 1.1 = -4.5; d2 = 1 - 0.45 = 0.55; buf2 = 0.99 + 0.55 = 1.54;
            // w2 = -4.5 - 5 * 1.54 = -12.2
            assertEquals(-12.2f, params.get("head.conv.conv.weight").getArray().getFloat(0, 0, 0, 0), 1e-5f);
        }
    }

    private static Parameter param(NDManager nd, String name, Shape shape, float value) {
        NDArray a = nd.full(shape, value, DataType.FLOAT32);
        a.setRequiresGradient(true);
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optArray(a).build();
    }
}
