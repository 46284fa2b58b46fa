package dev.bisenet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.infer.ModelLoader;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict and eval with {@code --spark local[2]}: the files, the table and the numbers of the
 * single-machine commands; a broken image; a task that fails once; the Java API.
 */
class SparkLocalTest {

    @TempDir
    static Path dir;
    static Path checkpoint;
    static Path images;
    static TreeMap<String, byte[]> single; // what predict without --spark writes

    @BeforeAll
    static void data() throws Exception {
        checkpoint = Commands.checkpoint(dir);
        images = Commands.images(dir.resolve("in"), 9, true);
        Commands.Run r = Commands.run("predict", "--checkpoint", checkpoint.toString(), "--preset", "camvid", "--input",
                images.toString(), "--output", dir.resolve("single").toString(), "--write", "labels,color");
        assertEquals(1, r.code(), "the broken image fails: " + r.err());
        single = Commands.files(dir.resolve("single"));
        assertEquals(18, single.size(), single.keySet().toString());
    }

    @Test
    void predictWritesTheFilesOfPredictAndATableAndReportsTheBrokenImage() throws Exception {
        Path out = dir.resolve("spark-out");
        int loadsBefore = ExecutorModels.loads();
        // a file: URI, as any Hadoop file system URI would be given
        Commands.Run r = Commands.run("predict", "--spark", "local[2]", "--checkpoint", checkpoint.toString(), "--preset",
                "camvid", "--input", images.toUri().toString(), "--output", out.toString(), "--write", "labels,color");
        assertEquals(1, r.code(), "a folder with a broken image exits 1 after writing the others: " + r.err());
        assertTrue(r.err().contains("broken.png") && r.err().contains("1 of 10 images failed"), r.err());
        assertTrue(r.out().contains("9 images written, 1 failed"), r.out());

        TreeMap<String, byte[]> written = Commands.files(out);
        assertEquals(single.keySet(), written.keySet(), "the same files, and no temporary or checksum file");
        for (Map.Entry<String, byte[]> e : single.entrySet()) {
            assertArrayEquals(e.getValue(), written.get(e.getKey()), e.getKey() + " differs from single-machine predict");
        }
        // local[2] runs the executors in this JVM: they use the model the driver opened, none is loaded again
        assertEquals(loadsBefore, ExecutorModels.loads());

        try (SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            List<Row> rows = spark.read().parquet(out.resolve(SparkPredict.TABLE).toString()).orderBy("path").collectAsList();
            assertEquals(10, rows.size(), "one row per image, no duplicate");
            for (Row row : rows) {
                String path = row.getAs("path");
                if (path.endsWith("broken.png")) {
                    assertNotNull(row.getAs("error"));
                    assertTrue(((String) row.getAs("error")).contains("broken.png"), (String) row.getAs("error"));
                    assertNull(row.getAs("height"));
                    continue;
                }
                assertNull(row.getAs("error"), path);
                BufferedImage labels = ImageIO.read(out.resolve(HadoopFiles.stem(path) + ".png").toFile());
                assertEquals(labels.getHeight(), (int) row.getAs("height"), path);
                assertEquals(labels.getWidth(), (int) row.getAs("width"), path);
                long[] expected = new long[11];
                for (int px : labels.getRaster().getSamples(0, 0, labels.getWidth(), labels.getHeight(), 0, (int[]) null)) {
                    expected[px]++;
                }
                List<Long> pixels = row.getList(row.fieldIndex("pixels"));
                assertEquals(Arrays.stream(expected).boxed().toList(), pixels, path);
            }
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheOutputIsComplete() throws Exception {
        Path out = dir.resolve("retry-out");
        Path clean = Commands.images(dir.resolve("clean"), 9, false);
        // local[2,2]: two threads, and a task may fail twice (local masters retry nothing by default)
        System.setProperty(SparkPredict.FAIL_ONCE, "img04");
        int injected = SparkPredict.injectedFailures();
        Commands.Run r;
        try {
            r = Commands.run("predict", "--spark", "local[2,2]", "--checkpoint", checkpoint.toString(), "--preset", "camvid",
                    "--input", clean.toString(), "--output", out.toString(), "--write", "labels,color");
        } finally {
            System.clearProperty(SparkPredict.FAIL_ONCE);
        }
        assertEquals(0, r.code(), r.err());
        assertEquals(injected + 1, SparkPredict.injectedFailures(), "the test switch failed one task attempt");
        TreeMap<String, byte[]> written = Commands.files(out);
        assertEquals(single.keySet(), written.keySet(), "every file once, no temporary file of the failed attempt");
        for (Map.Entry<String, byte[]> e : single.entrySet()) {
            assertArrayEquals(e.getValue(), written.get(e.getKey()), e.getKey());
        }
        try (SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            Dataset<Row> table = spark.read().parquet(out.resolve(SparkPredict.TABLE).toString());
            assertEquals(9, table.count());
            assertEquals(9, table.select("path").distinct().count(), "no row twice after the retry");
        }
    }

    @Test
    void evalPrintsTheNumbersOfEval() throws Exception {
        Path data = dir.resolve("evaldata");
        List<String> lines = new ArrayList<>();
        Commands.images(data, 7, false);
        for (int k = 0; k < 7; k++) {
            BufferedImage img = ImageIO.read(data.resolve(String.format("img%02d.png", k)).toFile());
            BufferedImage lab = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < lab.getHeight(); y++) {
                for (int x = 0; x < lab.getWidth(); x++) {
                    lab.getRaster().setSample(x, y, 0, (x / 6 + y / 9 + k) % 12 == 11 ? 255 : (x / 6 + y / 9 + k) % 12);
                }
            }
            ImageIO.write(lab, "png", data.resolve("lab" + k + ".png").toFile());
            lines.add(String.format("img%02d.png lab%d.png", k, k));
        }
        Files.write(data.resolve("val.txt"), lines);
        Path jsonA = dir.resolve("eval-single.json");
        Path jsonB = dir.resolve("eval-spark.json");
        String[] common = {"eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--list",
            data.resolve("val.txt").toString(), "--mode", "ss,msf", "--backend", "onnx", "--threads", "2"};
        Commands.Run a = Commands.run(concat(common, "--json", jsonA.toString()));
        assertEquals(0, a.code(), a.err());
        Commands.Run b = Commands.run(concat(common, "--json", jsonB.toString(), "--spark", "local[2]"));
        assertEquals(0, b.code(), b.err());
        assertEquals(Files.readString(jsonA, StandardCharsets.UTF_8), Files.readString(jsonB, StandardCharsets.UTF_8),
                "the same confusion matrix gives the same JSON, every class and metric");
        List<String> mA = a.out().lines().filter(l -> l.startsWith("mIoU ")).toList();
        List<String> mB = b.out().lines().filter(l -> l.startsWith("mIoU ")).toList();
        assertEquals(2, mA.size(), a.out());
        assertEquals(mA, mB, b.out());
    }

    @Test
    void theJavaApiTurnsADatasetOfImagesIntoADatasetOfResults() throws Exception {
        try (SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate()) {
            SparkSegmenter seg = SparkSegmenter.create(spark, new ModelLoader.Options().checkpoint(checkpoint)
                    .preset(dev.bisenet.data.Preset.CAMVID), 1);
            Dataset<Row> in = spark.read().format("binaryFile").load(images.toString());
            List<Row> out = seg.segment(in).collectAsList();
            assertEquals(10, out.size());
            int ok = 0;
            for (Row r : out) {
                String stem = HadoopFiles.stem(r.getAs("path"));
                if (stem.equals("broken")) {
                    assertNotNull(r.getAs("error"));
                    assertNull(r.getAs("labels_png"));
                    continue;
                }
                assertArrayEquals(single.get(stem + ".png"), (byte[]) r.getAs("labels_png"), stem);
                ok++;
            }
            assertEquals(9, ok);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static {
        // the tests talk to themselves only
        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    }
}
