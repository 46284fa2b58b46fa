package dev.bisenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two crashes and their kin, through the command line: each gets exit code 2 and
 * one line, never "internal error". (PthDamageTest covers every cut and flip of a pickle at the
 * reader; this checks the CLI maps those refusals as it should.)
 */
class DamagedInputCliTest {

    @TempDir
    Path dir;

    @Test
    void aCheckpointCutInsideBinintOrBinint2IsExitCode2() throws Exception {
        Path img = CliTest.image(dir, "x.png", 32, 32);
        for (String cut : new String[] {"J\u0001\u0002", "M\u0001"}) {
            Path pth = dir.resolve("cut.pth");
            try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(pth))) {
                z.putNextEntry(new ZipEntry("cut/data.pkl"));
                z.write(("\u0080\u0002" + cut).getBytes(StandardCharsets.ISO_8859_1));
            }
            CliTest.Run r = CliTest.run("predict", "--checkpoint", pth.toString(), "--input", img.toString(), "--output",
                    dir.resolve("out").toString());
            assertOneLineUserError(r, "error: cut.pth: not a valid PyTorch state_dict pickle (the pickle ends in the"
                    + " middle of an opcode");
        }
    }

    @Test
    void aSidecarWithABadPaletteIsExitCode2() throws Exception {
        // found by SidecarFuzzTest: a palette row of one value crashed predict with an index error
        Path pth = dir.resolve("model.pth");
        dev.bisenet.checkpoint.PthWriter.write(dev.bisenet.checkpoint.FormulaWeights.stateDict(11, true), pth);
        Files.writeString(dir.resolve("model.json"), "{\"palette\": [[1]]}");
        CliTest.Run r = CliTest.run("predict", "--checkpoint", pth.toString(), "--input",
                CliTest.image(dir, "y.png", 32, 32).toString(), "--output", dir.resolve("out2").toString());
        assertOneLineUserError(r, "error: " + dir.resolve("model.json") + ": not a usable model sidecar (a palette entry"
                + " is not [r, g, b])");
    }

    private static void assertOneLineUserError(CliTest.Run r, String start) throws IOException {
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith(start), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
    }
}
