package dev.bisenet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Averaging checkpoints: the mean itself, what it keeps, and what it refuses. */
class WeightAverageTest {

    @TempDir
    Path dir;

    private static StateDict dict(float w0, float w1, float mean, long tracked) {
        StateDict sd = new StateDict();
        sd.put("conv.weight", Tensor.ofFloats(new long[] {2, 1, 1, 1}, new float[] {w0, w1}));
        sd.put("bn.running_mean", Tensor.ofFloats(new long[] {1}, new float[] {mean}));
        sd.put("bn.num_batches_tracked", Tensor.scalarLong(tracked));
        return sd;
    }

    @Test
    void floatsAreAveragedAndCountersComeFromTheLastCheckpoint() throws Exception {
        WeightAverage avg = new WeightAverage();
        avg.add(dict(1f, -2f, 0.5f, 100), "a.pth");
        avg.add(dict(2f, 4f, 1.5f, 200), "b.pth");
        avg.add(dict(6f, 1f, 4.0f, 300), "c.pth");
        assertEquals(3, avg.count());
        StateDict m = avg.mean();
        assertEquals(List.of("conv.weight", "bn.running_mean", "bn.num_batches_tracked"), List.copyOf(m.keys()));
        assertArrayEquals(new float[] {3f, 1f}, m.get("conv.weight").toFloats(), 1e-6f);
        assertArrayEquals(new long[] {2, 1, 1, 1}, m.get("conv.weight").shape());
        assertArrayEquals(new float[] {2f}, m.get("bn.running_mean").toFloats(), 1e-6f);
        assertEquals(300L, m.get("bn.num_batches_tracked").toLongs()[0]);

        // survives the .pth round trip, so the result loads wherever a checkpoint does
        Path f = dir.resolve("avg.pth");
        PthWriter.write(m, f);
        assertArrayEquals(new float[] {3f, 1f}, PthReader.readStateDict(f).get("conv.weight").toFloats(), 1e-6f);
    }

    @Test
    void oneCheckpointAveragesToItself() {
        WeightAverage avg = new WeightAverage();
        avg.add(dict(0.1f, 0.7f, 0.3f, 5), "only.pth");
        assertArrayEquals(new float[] {0.1f, 0.7f}, avg.mean().get("conv.weight").toFloats(), 0f);
    }

    @Test
    void aDifferentNetworkIsRefusedNamingBothFilesAndTheKey() {
        WeightAverage avg = new WeightAverage();
        avg.add(dict(1f, 2f, 0f, 1), "a.pth");

        StateDict wider = new StateDict();
        wider.put("conv.weight", Tensor.ofFloats(new long[] {3, 1, 1, 1}, new float[] {1, 2, 3}));
        wider.put("bn.running_mean", Tensor.ofFloats(new long[] {1}, new float[] {0}));
        wider.put("bn.num_batches_tracked", Tensor.scalarLong(1));
        UserException shape = assertThrows(UserException.class, () -> avg.add(wider, "wide.pth"));
        assertTrue(shape.getMessage().contains("conv.weight") && shape.getMessage().contains("wide.pth")
                && shape.getMessage().contains("a.pth"), shape.getMessage());

        StateDict missing = dict(1f, 2f, 0f, 1);
        missing.remove("bn.running_mean");
        UserException gone = assertThrows(UserException.class, () -> avg.add(missing, "cut.pth"));
        assertTrue(gone.getMessage().contains("bn.running_mean") && gone.getMessage().contains("cut.pth"), gone.getMessage());

        StateDict extra = dict(1f, 2f, 0f, 1);
        extra.put("head.weight", Tensor.ofFloats(new long[] {1}, new float[] {1}));
        UserException more = assertThrows(UserException.class, () -> avg.add(extra, "more.pth"));
        assertTrue(more.getMessage().contains("head.weight"), more.getMessage());

        // the refused checkpoints left the sum as it was
        assertEquals(1, avg.count());
        assertArrayEquals(new float[] {1f, 2f}, avg.mean().get("conv.weight").toFloats(), 0f);
    }

    @Test
    void nothingAddedIsAnError() {
        assertThrows(IllegalStateException.class, () -> new WeightAverage().mean());
    }
}
