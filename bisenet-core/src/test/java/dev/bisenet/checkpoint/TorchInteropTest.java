package dev.bisenet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.TestPython;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights move both ways between this project and PyTorch: torch loads what we write with
 * {@code weights_only=True}, and we read back what torch saves from it, bit for bit.
 */
class TorchInteropTest {

    @TempDir
    Path dir;

    @Test
    void torchLoadsOurFilesAndWeReadTheirs() throws Exception {
        String python = TestPython.withModule("torch").orElse(null);
        Assumptions.assumeTrue(python != null, "skipped: no python3 with torch (apt-get install python3-torch)");
        StateDict sd = FormulaWeights.stateDict(19, true);
        Path ours = dir.resolve("ours.pth");
        Path theirs = dir.resolve("theirs.pth");
        PthWriter.write(sd, ours);
        String script = String.join("\n",
                "import sys, torch",
                "sd = torch.load(sys.argv[1], weights_only=True)",
                "assert type(sd).__name__ == 'OrderedDict', type(sd)",
                "total = sum(float(v.double().sum()) for v in sd.values())",
                "print('%d %s %.6f' % (len(sd), sd['detail.S1.0.bn.num_batches_tracked'].dtype, total))",
                "torch.save(sd, sys.argv[2])");
        TestPython.Result r = TestPython.run(python, script, ours.toString(), theirs.toString());
        assertEquals(0, r.status(), r.output());
        double total = 0;
        for (Tensor t : sd.asMap().values()) {
            for (float v : t.toFloats()) total += v;
        }
        String[] f = r.output().trim().split("\\s+");
        assertEquals("383", f[f.length - 3]);
        assertEquals("torch.int64", f[f.length - 2]);
        assertEquals(Double.parseDouble(f[f.length - 1]), total, 1e-3 * Math.max(1, Math.abs(total)),
                String.format(Locale.ROOT, "sum in torch %s vs %.6f here", f[f.length - 1], total));

        StateDict back = PthReader.readStateDict(theirs);
        assertEquals(List.copyOf(sd.keys()), List.copyOf(back.keys()));
        for (String k : sd.keys()) {
            assertArrayEquals(sd.get(k).rawBytes(), back.get(k).rawBytes(), k);
        }
        assertTrue(back.get("head.conv_out.1.weight").shape()[0] == 19);
    }
}
