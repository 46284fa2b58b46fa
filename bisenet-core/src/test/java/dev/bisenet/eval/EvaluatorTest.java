package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.eval.Evaluator.Sample;
import dev.bisenet.util.UserException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    static final int IGNORE = 255;

    // block images of several sizes; ground truth disagrees with the blocks in a known way
    static List<Sample> dataset() {
        int[][] sizes = {{70, 90}, {33, 40}, {64, 96}, {50, 31}};
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            int h = sizes[i][0];
            int w = sizes[i][1];
            int[] gt = FakeBackends.blockLabels(h, w);
            gt[0] = IGNORE;
            gt[gt.length - 1] = (gt[gt.length - 1] + 1) % 3; // one wrong pixel
            samples.add(Sample.of("img" + i, FakeBackends.blockImage(h, w), h, w, gt));
        }
        return samples;
    }

    @Test
    void matrixEqualsCountingEachSynchronousPrediction() {
        for (Mode mode : new Mode[] {Mode.SS, Mode.MSF}) {
            EvalOptions options = EvalOptions.of(mode, IGNORE);
            List<String> progress = new ArrayList<>();
            Evaluator.Result result = Evaluator.evaluate(dataset(), new FakeBackends.Linear(),
                    options, (done, name) -> progress.add(done + ":" + name));

            ConfusionMatrix expected = new ConfusionMatrix(3);
            Protocols protocols = new Protocols(new FakeBackends.Linear(), options);
            for (Sample s : dataset()) {
                Prediction p = protocols.predict(s.image(), s.height(), s.width());
                expected.add(s.labels(), p.labels(), IGNORE);
            }
            assertArrayEquals(expected.counts(), result.matrix().counts(), mode.toString());
            assertEquals(4, result.numImages());
            assertEquals(List.of("1:img0", "2:img1", "3:img2", "4:img3"), progress);
            assertEquals(Metrics.of(expected).meanIoU(), result.metrics().meanIoU());
        }
    }

    @Test
    void singleScaleOnBlocksCountsExactlyTheKnownMistakes() {
        Evaluator.Result r = Evaluator.evaluate(dataset(), new FakeBackends.Linear(),
                EvalOptions.of(Mode.SS, IGNORE), Evaluator.ProgressListener.NONE);
        long pixels = 70 * 90 + 33 * 40 + 64 * 96 + 50 * 31;
        assertEquals(pixels - 4, r.matrix().total()); // one ignored pixel per image
        long offDiagonal = r.matrix().total();
        for (int k = 0; k < 3; k++) {
            offDiagonal -= r.matrix().count(k, k);
        }
        assertEquals(4, offDiagonal); // one wrong ground-truth pixel per image
    }

    @Test
    void sizeMismatchStopsWithTheSampleName() {
        List<Sample> samples = new ArrayList<>(dataset());
        samples.add(new Sample("bad_one.png", new float[3 * 4 * 6], 4, 6, new int[24], 6, 4));
        UserException e = assertThrows(UserException.class, () -> Evaluator.evaluate(samples,
                new FakeBackends.Linear(), EvalOptions.of(Mode.SS, IGNORE),
                Evaluator.ProgressListener.NONE));
        assertTrue(e.getMessage().contains("bad_one.png"), e.getMessage());
        assertTrue(e.getMessage().contains("4x6"), e.getMessage());

        UserException of = assertThrows(UserException.class,
                () -> Sample.of("short.png", new float[3 * 4 * 6], 4, 6, new int[23]));
        assertTrue(of.getMessage().contains("short.png"), of.getMessage());
    }

    @Test
    void badLabelValueStopsWithTheSampleNameAndValue() {
        List<Sample> samples = new ArrayList<>(dataset());
        int[] gt = FakeBackends.blockLabels(40, 40);
        gt[100] = 9;
        samples.add(1, Sample.of("frame_0002.png", FakeBackends.blockImage(40, 40), 40, 40, gt));
        UserException e = assertThrows(UserException.class, () -> Evaluator.evaluate(samples,
                new FakeBackends.Linear(), EvalOptions.of(Mode.MSF, IGNORE),
                Evaluator.ProgressListener.NONE));
        assertTrue(e.getMessage().contains("frame_0002.png"), e.getMessage());
        assertTrue(e.getMessage().contains("label value 9"), e.getMessage());
    }

    @Test
    void backendFailureNamesTheSample() {
        FakeBackends.Linear failing = new FakeBackends.Linear() {
            @Override
            public float[] logits(float[] nchw, int n, int h, int w) {
                if (calls.size() == 2) {
                    throw new IllegalStateException("engine fell over");
                }
                return super.logits(nchw, n, h, w);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Evaluator.evaluate(dataset(), failing, EvalOptions.of(Mode.SS, IGNORE),
                        Evaluator.ProgressListener.NONE));
        assertTrue(e.getMessage().contains("img2"), e.getMessage());
        assertTrue(e.getMessage().contains("engine fell over"), e.getMessage());
    }

    @Test
    void emptyDatasetGivesUndefinedMetrics() {
        Evaluator.Result r = Evaluator.evaluate(List.of(), new FakeBackends.Linear(),
                EvalOptions.of(Mode.SS, IGNORE), Evaluator.ProgressListener.NONE);
        assertEquals(0, r.numImages());
        assertTrue(Double.isNaN(r.metrics().meanIoU()));
    }
}
