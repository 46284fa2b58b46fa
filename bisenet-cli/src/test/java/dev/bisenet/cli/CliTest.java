package dev.bisenet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.PthWriter;
import dev.bisenet.util.Npy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as other tools call it: flags, outputs, exit codes, messages. */
class CliTest {

    @TempDir
    static Path dir;
    static Path checkpoint;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            picocli.CommandLine cl = Main.commandLine();
            cl.setOut(new java.io.PrintWriter(System.out, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void checkpoint() throws Exception {
        checkpoint = dir.resolve("formula11.pth");
        PthWriter.write(FormulaWeights.stateDict(11, true), checkpoint);
    }

    static Path image(Path folder, String name, int h, int w) throws Exception {
        Files.createDirectories(folder);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 5) << 16 | (y * 3) << 8 | 90);
        Path p = folder.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void predictWritesThreeImagesAtTheInputSize() throws Exception {
        Path in = image(dir.resolve("one"), "street.png", 45, 70);
        Path out = dir.resolve("out1");
        Path npy = dir.resolve("l.npy");
        Run r = run("predict", "--checkpoint", checkpoint.toString(), "--classes", "11", "--input", in.toString(),
                "--output", out.toString(), "--preset", "camvid", "--logits", npy.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage labels = ImageIO.read(out.resolve("street.png").toFile());
        assertEquals(45, labels.getHeight());
        assertEquals(70, labels.getWidth());
        assertEquals(1, labels.getRaster().getNumBands(), "label PNG is one channel");
        assertEquals(3, ImageIO.read(out.resolve("street_color.png").toFile()).getRaster().getNumBands());
        assertEquals(70, ImageIO.read(out.resolve("street_overlay.png").toFile()).getWidth());
        assertTrue(r.out().contains("street.png: 45x70"), r.out());
        Npy.FloatArray l = Npy.readFloats(npy);
        assertArrayEquals(new long[] {11, 45, 70}, l.shape());
        // the label PNG is the argmax of the logits
        int[] px = labels.getRaster().getSamples(0, 0, 70, 45, 0, (int[]) null);
        for (int i = 0; i < px.length; i += 97) {
            int best = 0;
            for (int c = 1; c < 11; c++) if (l.data()[c * px.length + i] > l.data()[best * px.length + i]) best = c;
            assertEquals(best, px[i], "pixel " + i);
        }
    }

    @Test
    void aFolderWithACorruptFileStillWritesTheOthers() throws Exception {
        Path folder = dir.resolve("mixed");
        image(folder, "a.png", 32, 40);
        image(folder, "c.png", 50, 33);
        Files.write(folder.resolve("b.png"), new byte[] {1, 2, 3});
        Path out = dir.resolve("out2");
        Run r = run("predict", "--checkpoint", checkpoint.toString(), "--input", folder.toString(), "--output", out.toString());
        assertEquals(Main.EXIT_PARTIAL, r.code());
        assertTrue(Files.exists(out.resolve("a_overlay.png")) && Files.exists(out.resolve("c_overlay.png")));
        assertFalse(Files.exists(out.resolve("b.png")));
        assertTrue(r.err().contains("b.png") && r.err().contains("1 of 3 images failed"), r.err());
        assertFalse(r.err().contains("Exception"), "no exception names for a user's mistake: " + r.err());
    }

    @Test
    void aFolderWritesWhatWriteAsksWithTheBytesOfOneImageAtATime() throws Exception {
        Path folder = dir.resolve("many");
        String[] names = {"p0", "p1", "p2", "p3", "p4", "p5", "p6"};
        for (int i = 0; i < names.length; i++) {
            image(folder, names[i] + ".png", 32 + 7 * i, 40 + 5 * i); // sizes differ: padding differs per image
        }
        Path out = dir.resolve("manyout");
        Run r = run("predict", "--checkpoint", checkpoint.toString(), "--input", folder.toString(), "--output", out.toString(),
                "--write", "labels,overlay");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("7 images written, 0 failed, "), r.out());
        assertTrue(r.out().matches("(?s).*7 images written, 0 failed, [0-9.]+ img/s.*"), r.out());
        for (String n : names) {
            Path single = dir.resolve("single-" + n);
            Run one = run("predict", "--checkpoint", checkpoint.toString(), "--input", folder.resolve(n + ".png").toString(),
                    "--output", single.toString());
            assertEquals(0, one.code(), one.err());
            assertArrayEquals(Files.readAllBytes(single.resolve(n + ".png")), Files.readAllBytes(out.resolve(n + ".png")), n);
            assertArrayEquals(Files.readAllBytes(single.resolve(n + "_overlay.png")),
                    Files.readAllBytes(out.resolve(n + "_overlay.png")), n);
            assertFalse(Files.exists(out.resolve(n + "_color.png")), "--write without color writes no " + n + "_color.png");
        }
        try (var files = Files.list(out)) {
            assertEquals(2 * names.length, files.count(), "two files per image and no temporary file left");
        }
        Run bad = run("predict", "--checkpoint", checkpoint.toString(), "--input", folder.toString(), "--output", out.toString(),
                "--write", "labels,mask");
        assertEquals(Main.EXIT_USAGE, bad.code());
        assertTrue(bad.err().contains("'mask' is not an output") && bad.err().strip().lines().count() == 1, bad.err());
    }

    @Test
    void sparkIsNeitherForVideoNorOnThisClasspath() throws Exception {
        Path in = image(dir.resolve("sp"), "x.png", 32, 32);
        Run video = run("predict", "--checkpoint", checkpoint.toString(), "--input", "drive.mp4", "--output", "o", "--spark", "local[2]");
        assertEquals(Main.EXIT_USAGE, video.code());
        assertTrue(video.err().contains("--input drive.mp4 is a video or a pipe"), video.err());
        Run pipe = run("predict", "--checkpoint", checkpoint.toString(), "--input", "-", "--output", "o", "--spark", "local[2]");
        assertEquals(Main.EXIT_USAGE, pipe.code());
        // bisenet-cli's own classpath has no Spark: the launcher adds bisenet-spark only for --spark
        Run missing = run("predict", "--checkpoint", checkpoint.toString(), "--input", in.toString(), "--output",
                dir.resolve("spo").toString(), "--spark", "local[2]");
        assertEquals(Main.EXIT_USAGE, missing.code());
        assertTrue(missing.err().contains("--spark needs the bisenet-spark module"), missing.err());
    }

    @Test
    void userMistakesGetOneLineAndExitCode2() throws Exception {
        Path in = image(dir.resolve("m"), "x.png", 32, 32);
        Run conflict = run("predict", "--checkpoint", checkpoint.toString(), "--classes", "19", "--input", in.toString(),
                "--output", dir.resolve("o3").toString());
        assertEquals(Main.EXIT_USAGE, conflict.code());
        assertTrue(conflict.err().contains("--classes 19 conflicts with the checkpoint, which has 11 classes"), conflict.err());
        assertEquals(1, conflict.err().strip().lines().count(), conflict.err());

        Run missing = run("predict", "--checkpoint", dir.resolve("nope.pth").toString(), "--input", in.toString(),
                "--output", dir.resolve("o4").toString());
        assertEquals(Main.EXIT_USAGE, missing.code());
        assertTrue(missing.err().contains("nope.pth: no such checkpoint file"), missing.err());
        assertFalse(missing.err().contains("at dev."), missing.err());

        Run badFlag = run("predict", "--input", in.toString(), "--output", "o", "--chekpoint", "x");
        assertEquals(Main.EXIT_USAGE, badFlag.code());
        assertTrue(badFlag.err().contains("Unknown option") && badFlag.err().contains("--chekpoint"), badFlag.err());

        Run logitsOnFolder = run("predict", "--checkpoint", checkpoint.toString(), "--input", dir.resolve("m").toString(),
                "--output", dir.resolve("o5").toString(), "--logits", dir.resolve("x.npy").toString());
        assertEquals(Main.EXIT_USAGE, logitsOnFolder.code());
        assertTrue(logitsOnFolder.err().contains("--logits writes the logits of one image"), logitsOnFolder.err());
    }

    @Test
    void exportThenPredictOnTheOnnxModelNeedsNoFlags() throws Exception {
        Path onnx = dir.resolve("m.onnx");
        Run e = run("export", "--checkpoint", checkpoint.toString(), "--output", onnx.toString(), "--argmax", "--preset", "camvid");
        assertEquals(0, e.code(), e.err());
        Path in = image(dir.resolve("onnxin"), "s.png", 64, 96);
        Run viaOnnx = run("predict", "--checkpoint", onnx.toString(), "--input", in.toString(), "--output", dir.resolve("o6").toString());
        assertEquals(0, viaOnnx.code(), viaOnnx.err());
        Run viaTorch = run("predict", "--checkpoint", checkpoint.toString(), "--preset", "camvid", "--input", in.toString(),
                "--output", dir.resolve("o7").toString());
        assertEquals(0, viaTorch.code(), viaTorch.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("o7/s_color.png")), Files.readAllBytes(dir.resolve("o6/s_color.png")),
                "same colours (names and palette travel in the ONNX metadata) and same labels");
        Run corrupt = run("predict", "--checkpoint", writeGarbage("bad.onnx").toString(), "--input", in.toString(),
                "--output", dir.resolve("o8").toString());
        assertEquals(Main.EXIT_USAGE, corrupt.code());
        assertTrue(corrupt.err().contains("bad.onnx"), corrupt.err());
    }

    @Test
    void benchPrintsOneParsableLinePerBatch() {
        Run r = run("bench", "--checkpoint", checkpoint.toString(), "--size", "64x96", "--batch", "2,1", "--runs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("machine: "), r.out());
        String[] lines = r.out().lines().filter(l -> l.startsWith("batch ")).toArray(String[]::new);
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].matches("batch 1: median [0-9.]+ ms, min [0-9.]+ ms, p90 [0-9.]+ ms, [0-9.]+ img/s"), lines[0]);
        assertTrue(lines[1].startsWith("batch 2: "), lines[1]);
        for (String output : new String[] {"logits", "none"}) {
            Run o = run("bench", "--checkpoint", checkpoint.toString(), "--size", "64x96", "--runs", "2", "--output", output);
            assertEquals(0, o.code(), output + ": " + o.err());
            assertTrue(o.out().lines().anyMatch(l -> l.startsWith("batch 1: median ")), o.out());
        }
        Run bad = run("bench", "--checkpoint", checkpoint.toString(), "--size", "64x96", "--output", "probs");
        assertEquals(Main.EXIT_USAGE, bad.code());
        assertTrue(bad.err().contains("--output probs"), bad.err());
    }

    @Test
    void evalJsonCarriesTheNumbersOfItsTable() throws Exception {
        Path data = dir.resolve("evaldata");
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) {
            image(data, "img" + k + ".png", 40 + 16 * k, 64);
            BufferedImage lab = new BufferedImage(64, 40 + 16 * k, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < lab.getHeight(); y++) for (int x = 0; x < 64; x++) lab.getRaster().setSample(x, y, 0, (x / 8 + k) % 11);
            ImageIO.write(lab, "png", data.resolve("lab" + k + ".png").toFile());
            lines.add("img" + k + ".png lab" + k + ".png");
        }
        Files.write(data.resolve("val.txt"), lines);
        Path json = dir.resolve("eval.json");
        Run r = run("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--list",
                data.resolve("val.txt").toString(), "--mode", "ss,msf", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertEquals(2, root.size(), "one result per protocol");
        java.util.List<String> mious = r.out().lines().filter(l -> l.startsWith("mIoU ")).toList();
        assertEquals(2, mious.size(), r.out());
        for (int i = 0; i < 2; i++) {
            double table = Double.parseDouble(mious.get(i).substring(4).trim());
            assertEquals(table, 100 * root.get(i).get("miou").asDouble(), 0.005, "mode " + i);
            assertEquals(11, root.get(i).get("classes").size());
            assertTrue(root.get(i).has("pixel_accuracy") && root.get(i).has("fw_iou") && root.get(i).has("mean_accuracy"));
        }
    }

    private static Path writeGarbage(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, "not a model".getBytes(StandardCharsets.UTF_8));
        return p;
    }
}
