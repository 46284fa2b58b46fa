package dev.bisenet.spark;

import dev.bisenet.checkpoint.FormulaWeights;
import dev.bisenet.checkpoint.PthWriter;
import dev.bisenet.cli.Main;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Runs the commands as ./bisenet does, and makes the test data: a checkpoint and images. */
final class Commands {

    record Run(int code, String out, String err) {}

    private Commands() {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args); // picocli's writers are made now, on the streams set above
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The reference architecture with 11 classes and deterministic weights. */
    static Path checkpoint(Path dir) throws Exception {
        Path p = dir.resolve("formula11.pth");
        PthWriter.write(FormulaWeights.stateDict(11, false), p);
        return p;
    }

    /** {@code n} PNG images of several sizes (so paddings differ), and one broken file if asked. */
    static Path images(Path folder, int n, boolean broken) throws Exception {
        Files.createDirectories(folder);
        for (int k = 0; k < n; k++) {
            int h = 32 + 9 * (k % 4), w = 48 + 11 * (k % 3);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, ((x * 7 + k * 13) & 255) << 16 | ((y * 5 + k) & 255) << 8 | ((x * y + 3 * k) & 255));
                }
            }
            ImageIO.write(img, "png", folder.resolve(String.format("img%02d.png", k)).toFile());
        }
        if (broken) {
            Files.write(folder.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        }
        return folder;
    }

    /** Every file under {@code dir} (hidden ones too), name to bytes, the Parquet table left out. */
    static TreeMap<String, byte[]> files(Path dir) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = new ArrayList<>(s.toList());
            for (Path p : all) {
                if (Files.isRegularFile(p)) {
                    out.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }
}
