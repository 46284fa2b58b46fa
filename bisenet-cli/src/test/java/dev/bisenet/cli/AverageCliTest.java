package dev.bisenet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.PthWriter;
import dev.bisenet.checkpoint.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bisenet average} on two checkpoints of a tiny run: the mean, BatchNorm recomputed, refusals. */
class AverageCliTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path first;
    static Path second;

    @BeforeAll
    static void tinyRun() throws Exception {
        data = DatasetLayoutTest.twoImageCamvid(dir.resolve("camvid"));
        Path out = dir.resolve("run");
        CliTest.Run train = CliTest.run("train", "--preset", "camvid", "--data", data.toString(), "--out", out.toString(),
                "--iters", "4", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--eval-every", "0",
                "--checkpoint-every", "2", "--warmup", "0", "--lr", "0.05");
        assertEquals(0, train.code(), train.out() + train.err());
        first = out.resolve("checkpoints/iter_000002.pth");
        second = out.resolve("checkpoints/iter_000004.pth");
        assertTrue(Files.isRegularFile(first) && Files.isRegularFile(second), "the run's checkpoints");
    }

    private static float[] tensor(Path pth, String key) {
        return PthReader.readStateDict(pth).get(key).toFloats();
    }

    private static float[] mean(float[] a, float[] b) {
        float[] m = new float[a.length];
        for (int i = 0; i < m.length; i++) m[i] = (a[i] + b[i]) / 2;
        return m;
    }

    @Test
    void averagesWeightsAndStatisticsAndWritesASidecar() throws Exception {
        Path avg = dir.resolve("avg.pth");
        CliTest.Run r = CliTest.run("average", "--out", avg.toString(), first.toString(), second.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("averaged 2 checkpoints: iter_000002.pth (iteration 2), iter_000004.pth (iteration 4)"), r.out());
        assertTrue(r.out().contains("BatchNorm statistics averaged, not recomputed"), r.out());
        for (String key : new String[] {"detail.S1.0.conv.weight", "head.conv_out.1.weight", "segment.S5_5.bn.running_mean"}) {
            float[] a = tensor(first, key);
            float[] b = tensor(second, key);
            assertFalse(Arrays.equals(a, b), key + " moved between the checkpoints");
            assertArrayEquals(mean(a, b), tensor(avg, key), 1e-6f, key);
        }
        String side = Files.readString(dir.resolve("avg.json"));
        assertTrue(side.contains("\"averaged_from\"") && side.contains("iter_000004.pth"), side);
        assertTrue(side.contains("\"headWidth\" : 16"), side);
        assertEquals(PthReader.readStateDict(second).keys(), PthReader.readStateDict(avg).keys(), "the checkpoint's keys, in its order");
    }

    @Test
    void withDataTheStatisticsAreRecomputedAndTheWeightsStayTheMean() throws Exception {
        Path avg = dir.resolve("avg_bn.pth");
        CliTest.Run r = CliTest.run("average", "--out", avg.toString(), "--data", data.toString(), "--bn-batches", "3",
                first.toString(), second.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("recomputing BatchNorm statistics: 3 batches of 2 crops 64x64 (HxW)"), r.out());
        String conv = "segment.S3.0.conv1.conv.weight";
        assertArrayEquals(mean(tensor(first, conv), tensor(second, conv)), tensor(avg, conv), 1e-6f);
        String stat = "segment.S3.0.conv1.bn.running_var";
        float[] averaged = mean(tensor(first, stat), tensor(second, stat));
        float[] recomputed = tensor(avg, stat);
        assertFalse(Arrays.equals(averaged, recomputed), "recomputed statistics differ from the averaged ones");
        for (float v : recomputed) assertTrue(v > 0 && Float.isFinite(v), "a variance " + v);
        assertTrue(Files.readString(dir.resolve("avg_bn.json")).contains("recomputed on 3 batches of 2 crops 64x64"));
    }

    @Test
    void theStatisticsCanBeTakenOnAnotherCropAndScale() throws Exception {
        Path runs = dir.resolve("avg_bn_run.pth");
        Path full = dir.resolve("avg_bn_full.pth");
        CliTest.Run r1 = CliTest.run("average", "--out", runs.toString(), "--data", data.toString(), "--bn-batches", "2",
                second.toString());
        CliTest.Run r2 = CliTest.run("average", "--out", full.toString(), "--data", data.toString(), "--bn-batches", "2",
                "--crop", "96x128", "--scale", "1,1", second.toString());
        assertEquals(0, r1.code(), r1.out() + r1.err());
        assertEquals(0, r2.code(), r2.out() + r2.err());
        assertTrue(r2.out().contains("2 batches of 2 crops 96x128 (HxW), scale 1.00..1.00"), r2.out());
        String key = PthReader.readStateDict(second).keys().stream().filter(k -> k.endsWith("bn.running_mean")).findFirst().orElseThrow();
        assertFalse(Arrays.equals(tensor(runs, key), tensor(full, key)), key + ": other crops, other statistics");
        assertTrue(Files.readString(dir.resolve("avg_bn_full.json")).contains("crops 96x128, scale 1.00..1.00"));
        assertTrue(r1.out().contains("2 batches of 2 crops 64x64 (HxW)"), "without --crop, the run's crop: " + r1.out());
    }

    @Test
    void aCropTheNetworkCannotTakeIsRefusedByName() throws Exception {
        Path never = dir.resolve("never3.pth");
        CliTest.Run r = CliTest.run("average", "--out", never.toString(), "--data", data.toString(), "--crop", "100x128",
                second.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--crop 100x128 is not a multiple of 32") && r.err().contains("try 96x128"), r.err());
        assertFalse(Files.exists(never), "nothing written");
        CliTest.Run s = CliTest.run("average", "--out", never.toString(), "--data", data.toString(), "--scale", "1", second.toString());
        assertEquals(2, s.code(), s.out() + s.err());
        assertTrue(s.err().contains("--scale takes two numbers"), s.err());
    }

    @Test
    void checkpointsOfAnotherNetworkAreRefusedByName() throws Exception {
        Path other = dir.resolve("formula11.pth");
        PthWriter.write(FormulaWeights.stateDict(11, true), other); // the reference's 1024-wide head
        CliTest.Run r = CliTest.run("average", "--out", dir.resolve("never.pth").toString(), first.toString(), other.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("formula11.pth") && r.err().contains("iter_000002.pth")
                && r.err().contains("only checkpoints of the same network can be averaged"), r.err());
        assertFalse(Files.exists(dir.resolve("never.pth")), "nothing written");
    }

    @Test
    void recomputingNeedsTheRunsSettingsFromASidecar() throws Exception {
        Path bare = dir.resolve("bare.pth");
        StateDict sd = PthReader.readStateDict(first);
        PthWriter.write(sd, bare);
        CliTest.Run r = CliTest.run("average", "--out", dir.resolve("never2.pth").toString(), "--data", data.toString(),
                bare.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("needs the run's training settings") && r.err().contains("Leave out --data"), r.err());
        assertFalse(Files.exists(dir.resolve("never2.pth")), "nothing written");
    }

    @Test
    void aSidecarWhoseSettingsDoNotReadIsNamed() throws Exception {
        String side = Files.readString(dir.resolve("run/checkpoints/iter_000004.json"));
        String[][] damages = {{"\"batch\" : 2", "\"batch\" : \"two\""}, {"\"cropHeight\" : 64", "\"cropHeight\" : 100"}};
        for (String[] damage : damages) {
            assertTrue(side.contains(damage[0]), "the sidecar train wrote holds " + damage[0] + ": " + side);
            Path edited = dir.resolve("edited.pth");
            Files.copy(second, edited, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(dir.resolve("edited.json"), side.replace(damage[0], damage[1]));
            Path never = dir.resolve("never4.pth");
            CliTest.Run r = CliTest.run("average", "--out", never.toString(), "--data", data.toString(), edited.toString());
            assertEquals(2, r.code(), damage[1] + ": " + r.out() + r.err());
            assertTrue(r.err().contains("edited.json: its 'training' section is not a run's settings")
                    && r.err().contains("leave out --data"), damage[1] + ": " + r.err());
            assertFalse(Files.exists(never), "nothing written");
        }
    }

    @Test
    void resumingFromASidecarWhoseSettingsDoNotReadIsNamedToo() throws Exception {
        Path run = dir.resolve("run");
        Path copy = dir.resolve("run_damaged");
        try (var files = Files.walk(run)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(run.relativize(f).toString()));
        }
        Path side = copy.resolve("checkpoints/iter_000004.json");
        String text = Files.readString(side);
        assertTrue(text.contains("\"batch\" : 2"), text);
        Files.writeString(side, text.replace("\"batch\" : 2", "\"batch\" : \"two\""));
        CliTest.Run r = CliTest.run("train", "--preset", "camvid", "--data", data.toString(), "--out", copy.toString(),
                "--resume", "--iters", "6");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("iter_000004.json: its 'training' section is not a run's settings")
                && r.err().contains("start a new run in another --out"), r.err());
        assertFalse(Files.exists(copy.resolve("checkpoints/iter_000006.pth")), "nothing trained");
    }
}
