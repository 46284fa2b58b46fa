package dev.bisenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.spec.ModelInfo;
import dev.bisenet.spec.ModelSpec;
import dev.bisenet.util.UserException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    Path dir;

    private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    private static TrainConfig config(int iters, int checkpointEvery, double lr) {
        return TrainConfig.defaults("custom").data("synthetic").iters(iters).batch(2).crop(64, 96).scale(1, 1).lr(lr)
                .weightDecay(5e-4).warmup(Math.min(2, iters)).evalEvery(0).checkpointEvery(checkpointEvery).keepLast(2)
                .seed(7).threads(2).normalisation(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}).build();
    }

    private static List<Double> losses(Path metrics) throws Exception {
        List<Double> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = json.readTree(line);
            if (n.has("loss")) out.add(n.get("loss").asDouble());
        }
        return out;
    }

    private static Trainer.Summary train(TrainConfig cfg, Path runDir, boolean resume) throws Exception {
        return train(cfg, runDir, resume, Integer.MAX_VALUE);
    }

    private static Trainer.Summary train(TrainConfig cfg, Path runDir, boolean resume, int crashAt) throws Exception {
        RunFolder run = new RunFolder(runDir);
        RunFolder.Resume r = resume ? run.latest() : null;
        try (Trainer t = new Trainer(cfg, ModelInfo.generic(3), run, r, QUIET);
                Batches b = new SyntheticBatches(64, 96, t.startIteration(), false, crashAt)) {
            return t.run(b, null, new Progress.Lines(QUIET));
        }
    }

    @Test
    void overfitsTwoImages() throws Exception {
        Path runDir = dir.resolve("overfit");
        train(config(40, 20, 0.02), runDir, false);
        List<Double> l = losses(runDir.resolve("metrics.jsonl"));
        assertEquals(2, l.size(), "one log line per 20 iterations");
        assertTrue(l.get(1) < 0.5 * l.get(0), "loss falls clearly: " + l);
        assertTrue(Files.exists(runDir.resolve("model_final.pth")));
        assertTrue(Files.exists(runDir.resolve("model_final.json")));
        assertTrue(Files.exists(runDir.resolve("curves.png")));
        JsonNode rec = new ObjectMapper().readTree(Files.readAllLines(runDir.resolve("metrics.jsonl")).get(0));
        double heap = rec.get("heap_committed_mb").asDouble();
        assertTrue(heap > 0 && rec.get("heap_used_mb").asDouble() <= heap, "Java heap in the metrics: " + rec);
        StateDict sd = PthReader.readStateDict(runDir.resolve("model_final.pth"));
        assertEquals(383, sd.size(), "a reference state_dict with booster heads and batch counters");
        assertEquals(40L, sd.get("detail.S1.0.bn.num_batches_tracked").toLongs()[0]);
    }

    @Test
    void trainsANarrowHead() throws Exception {
        TrainConfig c = config(2, 2, 0.01);
        TrainConfig narrow = c.toBuilder().headWidth(32).build();
        Path runDir = dir.resolve("narrow");
        train(narrow, runDir, false);
        StateDict sd = PthReader.readStateDict(runDir.resolve("model_final.pth"));
        ModelSpec spec = ModelSpec.detect(sd, "model_final.pth");
        assertEquals(32, spec.headWidth(), "the head width is read back from the checkpoint");
        assertEquals(3, spec.numClasses());
    }

    @Test
    void resumedRunMatchesAnUninterruptedOne() throws Exception {
        Path whole = dir.resolve("whole");
        train(config(12, 4, 0.01), whole, false);
        Path split = dir.resolve("split");
        // the process dies while waiting for iteration 10's batch: the checkpoint at 8 survives
        assertThrows(IllegalStateException.class, () -> train(config(12, 4, 0.01), split, false, 10));
        assertEquals(List.of(4, 8), new RunFolder(split).completed());
        Trainer.Summary s = train(config(12, 4, 0.01), split, true); // --iters is the run's total
        assertEquals(12, s.iterations());
        List<Double> a = losses(whole.resolve("metrics.jsonl"));
        List<Double> b = losses(split.resolve("metrics.jsonl"));
        assertEquals(a.size(), b.size(), "metrics lines after resume: " + b);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), 1e-3 * Math.abs(a.get(i)), "loss window " + i);
        }
        assertEquals(List.of(8, 12), new RunFolder(split).completed(), "the last 2 checkpoints are kept");
    }

    @Test
    void aStopRequestCheckpointsTheStepInProgressAndResumeContinuesFromIt() throws Exception {
        Path whole = dir.resolve("whole_for_stop");
        train(config(12, 4, 0.01), whole, false);
        Path stopped = dir.resolve("stopped");
        RunFolder run = new RunFolder(stopped);
        Trainer.Summary s;
        try (Trainer t = new Trainer(config(12, 4, 0.01), ModelInfo.generic(3), run, null, QUIET);
                Batches b = new SyntheticBatches(64, 96, 0, false)) {
            Progress stopAt6 = new Progress() {
                @Override
                public void step(int done, double loss, double lr) {
                    if (done == 6) t.requestStop(); // as a signal's hook would, during iteration 6's bookkeeping
                }

                @Override
                public void log(java.util.Map<String, Object> record) {}

                @Override
                public void note(String line) {}

                @Override
                public void close() {}
            };
            s = t.run(b, null, stopAt6);
        }
        assertTrue(s.stopped());
        assertEquals(6, s.iterations(), "stops after the step in progress");
        assertEquals(List.of(4, 6), run.completed(), "a checkpoint at the stop, between the periodic ones");
        assertFalse(Files.exists(stopped.resolve("model_final.pth")), "a stopped run has no final model");
        Trainer.Summary r = train(config(12, 4, 0.01), stopped, true);
        assertFalse(r.stopped());
        assertEquals(12, r.iterations());
        // log windows end at 4, 8, 12; the resumed leg's window at 8 covers 6..8 only, the one at 12 is whole
        List<Double> a = losses(whole.resolve("metrics.jsonl"));
        List<Double> b = losses(stopped.resolve("metrics.jsonl"));
        assertEquals(3, b.size(), "metrics lines: " + b);
        assertEquals(a.get(0), b.get(0), 1e-3 * Math.abs(a.get(0)));
        assertEquals(a.get(2), b.get(2), 1e-3 * Math.abs(a.get(2)), "the checkpoint at the stop resumes exactly");
    }

    @Test
    void nonFiniteLossStopsWithoutWritingWeights() throws Exception {
        Path runDir = dir.resolve("nan");
        RunFolder run = new RunFolder(runDir);
        try (Trainer t = new Trainer(config(4, 1, 0.01), ModelInfo.generic(3), run, null, QUIET);
                Batches b = new SyntheticBatches(64, 96, 0, true)) {
            UserException e = assertThrows(UserException.class, () -> t.run(b, null, new Progress.Lines(QUIET)));
            assertTrue(e.getMessage().contains("the loss became NaN at iteration 0"), e.getMessage());
        }
        assertTrue(run.completed().isEmpty());
        assertFalse(Files.exists(runDir.resolve("model_final.pth")));
    }
}
