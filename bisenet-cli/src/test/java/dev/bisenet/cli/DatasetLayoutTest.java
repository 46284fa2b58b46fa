package dev.bisenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bisenet.data.Datasets;
import dev.bisenet.data.Preset;
import dev.bisenet.data.SegDataset;
import dev.bisenet.train.TrainConfig;
import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each preset's official folder layout, built small: the pairs found, the label mapping, the
 * counts, then two training iterations and an evaluation of the trained model through the
 * command line. The expected class of each raw label value is written out by hand from the
 * datasets' documentation, not computed from the code under test.
 */
class DatasetLayoutTest {

    private static final int H = 64;
    private static final int W = 96; // not square, so that a swapped height and width shows

    @TempDir
    Path dir;

    // ---- the layouts

    @Test
    void cityscapesOfficialLayoutWithRawLabelIds() throws Exception {
        // labelIds: 0 unlabeled, 1 ego vehicle, 4 static are void (ignored); 7 road -> 0, 8 sidewalk -> 1,
        // 26 car -> 13, 33 bicycle -> 18
        Map<Integer, Integer> expected = Map.of(0, 255, 1, 255, 4, 255, 7, 0, 8, 1, 26, 13, 33, 18);
        Path root = dir.resolve("cityscapes");
        for (String split : List.of("train", "val")) {
            int k = 0;
            for (String city : List.of("aachen", "frankfurt")) {
                for (int n = 0; n < (split.equals("val") ? 1 : 2); n++) {
                    String stem = city + "_00000" + n + "_0000" + (19 + n);
                    Path img = root.resolve("leftImg8bit/" + split + "/" + city + "/" + stem + "_leftImg8bit.png");
                    image(img, k);
                    Path gt = root.resolve("gtFine/" + split + "/" + city);
                    label(gt.resolve(stem + "_gtFine_labelIds.png"), expected.keySet(), k);
                    // the other files of the official download, which are not class indices
                    colourLabel(gt.resolve(stem + "_gtFine_color.png"));
                    label(gt.resolve(stem + "_gtFine_instanceIds.png"), List.of(26000, 26001), k);
                    Files.writeString(gt.resolve(stem + "_gtFine_polygons.json"), "{}");
                    k++;
                }
            }
        }
        SegDataset val = Datasets.open(Preset.CITYSCAPES, root, "val", false);
        assertEquals(2, val.size(), "one image per city in val");
        assertTrue(val.name().contains("_gtFine_labelIds.png"), val.name());
        assertPairs(val, "_leftImg8bit.png", "_gtFine_labelIds.png");
        assertMapping(val, expected.keySet(), expected);
        trainAndEval(Preset.CITYSCAPES, root, "val", 4, 2);
    }

    @Test
    void cityscapesTrainIdsAreTakenWhenNoLabelIdsExist() throws Exception {
        // the layout cityscapesscripts' createTrainIdLabelImgs and mmsegmentation leave: train ids, 255 void
        Map<Integer, Integer> expected = Map.of(0, 0, 1, 1, 13, 13, 18, 18, 255, 255);
        Path root = dir.resolve("cityscapes_trainids");
        for (String split : List.of("train", "val")) {
            for (int k = 0; k < 2; k++) {
                String stem = "bremen_00000" + k + "_000019";
                image(root.resolve("leftImg8bit/" + split + "/bremen/" + stem + "_leftImg8bit.png"), k);
                label(root.resolve("gtFine/" + split + "/bremen/" + stem + "_gtFine_labelTrainIds.png"), expected.keySet(), k);
            }
        }
        SegDataset val = Datasets.open(Preset.CITYSCAPES, root, "val", false);
        assertTrue(val.name().contains("_gtFine_labelTrainIds.png (train ids, not mapped again)"), val.name());
        assertPairs(val, "_leftImg8bit.png", "_gtFine_labelTrainIds.png");
        assertMapping(val, expected.keySet(), expected);
        // the training of this preset is covered above; here the note that says which labels were read
        CliTest.Run r = eval(Preset.CITYSCAPES, root, "val", 2);
        assertEquals(1, r.out().lines().filter(l -> l.contains("labelTrainIds")).count(), "said once: " + r.out());
    }

    @Test
    void camvidListFileLayout() throws Exception {
        // SegNet's CamVid: 0..10 are the classes, 11 Unlabelled is ignored
        Map<Integer, Integer> expected = Map.of(0, 0, 3, 3, 10, 10, 11, 255);
        Path root = dir.resolve("camvid_list");
        for (String split : List.of("train", "val")) {
            List<String> lines = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                String stem = "0016E5_0" + (7959 + k);
                image(root.resolve(split + "/" + stem + ".png"), k);
                label(root.resolve(split + "annot/" + stem + ".png"), expected.keySet(), k);
                lines.add("# comment lines and blank lines are skipped");
                lines.add("");
                lines.add(split + "/" + stem + ".png " + split + "annot/" + stem + ".png");
            }
            // the list decides: a stray file in the folders is not read
            image(root.resolve(split + "/stray.png"), 0);
            Files.write(root.resolve(split + ".txt"), lines);
        }
        SegDataset val = Datasets.open(Preset.CAMVID, root, "val", false);
        assertEquals(2, val.size());
        assertPairs(val, ".png", ".png");
        assertMapping(val, expected.keySet(), expected);
        trainAndEval(Preset.CAMVID, root, "val", 2, 2);
    }

    @Test
    void camvidFolderLayout() throws Exception {
        Map<Integer, Integer> expected = Map.of(1, 1, 5, 5, 9, 9, 11, 255);
        Path root = dir.resolve("camvid_folders");
        for (String split : List.of("train", "val", "test")) {
            for (int k = 0; k < 3; k++) {
                String stem = "Seq05VD_f0" + (1000 + 30 * k);
                image(root.resolve(split + "/" + stem + ".png"), k);
                label(root.resolve(split + "annot/" + stem + ".png"), expected.keySet(), k);
            }
        }
        SegDataset test = Datasets.open(Preset.CAMVID, root, "test", false);
        assertEquals(3, test.size());
        assertPairs(test, ".png", ".png");
        assertMapping(test, expected.keySet(), expected);
        eval(Preset.CAMVID, root, "test", 3); // training on CamVid is covered by the list-file layout
        assertEquals(3, Datasets.open(Preset.CAMVID, root, "train", false).size());
    }

    @Test
    void classWeightsFromTheTrainingLabelsAreStoredWithTheRun() throws Exception {
        Path root = twoImageCamvid(dir.resolve("camvid_weights"));
        Path out = dir.resolve("run_weights");
        CliTest.Run train = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--iters", "2", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--eval-every", "0",
                "--checkpoint-every", "2", "--class-weights", "median");
        assertEquals(0, train.code(), train.out() + train.err());
        Matcher w = Pattern.compile("class weights in the loss \\(median\\): \\[([^]]+)]").matcher(train.out());
        assertTrue(w.find(), train.out());
        String[] weights = w.group(1).split(",\\s*");
        assertEquals(11, weights.length, w.group(1));
        // three classes present (raw 11 is CamVid's void): the median one weighs exactly 1, the
        // others median / frequency > 0; absent classes get 1
        assertTrue(List.of(weights[1], weights[5], weights[9]).contains("1.0"), w.group(1));
        for (int c : new int[] {1, 5, 9}) assertTrue(Float.parseFloat(weights[c]) > 0, w.group(1));
        assertEquals("1.0", weights[0]);
        assertTrue(aSidecarHolds(out, Pattern.compile(Pattern.quote("\"classWeights\""))), "a sidecar of the run stores the weights");
        CliTest.Run other = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", "3", "--class-weights", "none");
        assertEquals(2, other.code(), other.out() + other.err());
        assertTrue(other.err().contains("keeps its class weights"), other.err());
        CliTest.Run same = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", "3", "--class-weights", "median");
        assertEquals(0, same.code(), "the command that started the run, with --resume, continues it: " + same.out() + same.err());
        assertTrue(same.out().contains("resuming from"), same.out());
    }

    @Test
    void classCropsAreCheckedStoredWithTheRunAndKeptOnResume() throws Exception {
        Path root = twoImageCamvid(dir.resolve("camvid_crops"));
        Path out = dir.resolve("run_crops");
        CliTest.Run bad = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--iters", "2", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--class-crops", "1.5");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("--class-crops is a probability from 0 to 1, got 1.5"), bad.err());
        CliTest.Run train = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--iters", "2", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--eval-every", "0",
                "--checkpoint-every", "2", "--class-crops", "0.5");
        assertEquals(0, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("crop 64x64 (HxW) placed on a class with p 0.50"), train.out());
        assertTrue(aSidecarHolds(out, Pattern.compile("\"classCrops\"\\s*:\\s*0\\.5\\b")), "a sidecar of the run stores the probability");
        CliTest.Run other = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", "3", "--class-crops", "0");
        assertEquals(2, other.code(), other.out() + other.err());
        assertTrue(other.err().contains("--class-crops 0.0 differs from the run being resumed (0.5)"), other.err());
        CliTest.Run same = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", "3");
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains("placed on a class with p 0.50"), "the resumed run keeps its crops: " + same.out());
    }

    @Test
    void jitterIsCheckedStoredWithTheRunAndKeptOnResume() throws Exception {
        Path root = twoImageCamvid(dir.resolve("camvid_jitter"));
        Path out = dir.resolve("run_jitter");
        CliTest.Run bad = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--iters", "2", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--jitter", "-0.1");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("--jitter is a strength from 0 (off) to 1, got -0.1"), bad.err());
        CliTest.Run train = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--iters", "2", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--eval-every", "0",
                "--checkpoint-every", "2", "--jitter", "0");
        assertEquals(0, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("scale 0.75..2.00, no colour jitter"), train.out());
        assertTrue(aSidecarHolds(out, Pattern.compile("\"jitter\"\\s*:\\s*0\\.0\\b")), "a sidecar of the run stores the strength");
        CliTest.Run other = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", "3", "--jitter", "0.4");
        assertEquals(2, other.code(), other.out() + other.err());
        assertTrue(other.err().contains("--jitter 0.4 differs from the run being resumed (0.0)"), other.err());
        CliTest.Run same = CliTest.run("train", "--preset", "camvid", "--data", root.toString(), "--out", out.toString(),
                "--resume", "--iters", "3");
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains("no colour jitter"), "the resumed run keeps its jitter: " + same.out());
    }

    @Test
    void aRunStoredBeforeTheJitterOptionReadsAsTheReferencesJitter() {
        TrainConfig c = TrainConfig.defaults("camvid").data("d").iters(10).jitter(0.25).build();
        ObjectMapper json = new ObjectMapper();
        ObjectNode stored = json.valueToTree(c);
        assertEquals(0.25, json.convertValue(stored, TrainConfig.class).jitter());
        stored.remove("jitter");
        TrainConfig old = json.convertValue(stored, TrainConfig.class);
        assertEquals(TrainConfig.REFERENCE_JITTER, old.jitter());
        assertEquals(0.4f, old.augmentation().jitter());
        assertFalse(old.describe().contains("jitter"), "the reference's jitter is not called out: " + old.describe());
    }

    /** Whether a JSON file under the run folder {@code out} (a checkpoint's sidecar) holds {@code pattern}. */
    private static boolean aSidecarHolds(Path out, Pattern pattern) throws IOException {
        try (var files = Files.walk(out)) {
            return files.filter(f -> f.toString().endsWith(".json")).anyMatch(f -> {
                try {
                    return pattern.matcher(Files.readString(f)).find();
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void ade20kLayout() throws Exception {
        // ADEChallengeData2016: 0 "other" is ignored, 1..150 are classes 0..149
        Map<Integer, Integer> expected = Map.of(0, 255, 1, 0, 3, 2, 150, 149);
        Path root = dir.resolve("ADEChallengeData2016");
        for (String[] split : new String[][] {{"training", "train"}, {"validation", "val"}}) {
            for (int k = 0; k < 2; k++) {
                String stem = "ADE_" + split[1] + "_0000000" + (k + 1);
                image(root.resolve("images/" + split[0] + "/" + stem + ".jpg"), k);
                label(root.resolve("annotations/" + split[0] + "/" + stem + ".png"), expected.keySet(), k);
            }
        }
        SegDataset val = Datasets.open(Preset.ADE20K, root, "val", false);
        assertEquals(2, val.size());
        assertPairs(val, ".jpg", ".png");
        assertMapping(val, expected.keySet(), expected);
        trainAndEval(Preset.ADE20K, root, "val", 2, 2);
    }

    @Test
    void cocoStuffLayouts() throws Exception {
        // COCO-Stuff-164k stuffthingmaps: 0 person -> 0, 12 stop sign -> 11, 181 wood -> 170; the 11 ids no
        // class uses and 255 (unlabelled) are ignored
        Map<Integer, Integer> expected = new java.util.HashMap<>(Map.of(0, 0, 12, 11, 181, 170, 255, 255));
        for (int unused : new int[] {11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90}) expected.put(unused, 255);
        for (String labels : List.of("labels", "stuffthingmaps_trainval2017")) {
            Path root = dir.resolve("coco_" + labels);
            for (String split : List.of("train2017", "val2017")) {
                for (int k = 0; k < 2; k++) {
                    String stem = "0000000" + (139 + 100 * k);
                    image(root.resolve("images/" + split + "/" + stem + ".jpg"), k);
                    label(root.resolve(labels + "/" + split + "/" + stem + ".png"), expected.keySet(), k);
                }
            }
            SegDataset val = Datasets.open(Preset.COCO, root, "val", false);
            assertEquals(2, val.size(), labels);
            assertPairs(val, ".jpg", ".png");
            assertMapping(val, expected.keySet(), expected);
            if (labels.equals("labels")) {
                trainAndEval(Preset.COCO, root, "val", 2, 2);
            }
        }
    }

    // ---- what the layouts refuse

    @Test
    void brokenLayoutsNameTheFile() throws Exception {
        Path root = dir.resolve("ade_broken");
        Path images = root.resolve("images/validation");
        Path labels = root.resolve("annotations/validation");
        image(images.resolve("a.jpg"), 0);
        label(labels.resolve("a.png"), List.of(1, 2), 0);

        image(images.resolve("no_label.jpg"), 0);
        assertRefused(Preset.ADE20K, root, labels.resolve("no_label.png") + ": missing label file for image "
                + images.resolve("no_label.jpg"));
        Files.delete(images.resolve("no_label.jpg"));

        label(labels.resolve("no_image.png"), List.of(1), 0);
        assertRefused(Preset.ADE20K, root, labels.resolve("no_image.png") + ": label without its image (expected "
                + images.resolve("no_image.jpg") + ")");
        Files.delete(labels.resolve("no_image.png"));

        BufferedImage small = new BufferedImage(W, H - 1, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(small, "png", labels.resolve("a.png").toFile());
        assertLoadRefused(Preset.ADE20K, root, labels.resolve("a.png") + ": label is 63x96 but its image");

        label(labels.resolve("a.png"), List.of(1, 151), 0);
        assertLoadRefused(Preset.ADE20K, root, labels.resolve("a.png") + ": label value 151 at (y 0, x 4) is neither a"
                + " class nor the ignore value of this dataset: use ADEChallengeData2016/annotations");
    }

    @Test
    void labelsThatAreNotClassIndicesSayWhichFileToUse() throws Exception {
        Path root = dir.resolve("cityscapes_wrong_labels");
        String stem = "lindau_000000_000019";
        image(root.resolve("leftImg8bit/val/lindau/" + stem + "_leftImg8bit.png"), 0);
        Path gt = root.resolve("gtFine/val/lindau/" + stem + "_gtFine_labelIds.png");
        colourLabel(gt); // the colour image saved under the labelIds name
        String useInstead = "use the *_gtFine_labelIds.png files (raw ids 0..33) or *_gtFine_labelTrainIds.png";
        assertLoadRefused(Preset.CITYSCAPES, root, gt + ": a colour (4-channel) label image; labels must be single-channel"
                + " PNGs of class indices, not colours: " + useInstead);
        label(gt, List.of(7, 40), 0); // 40 is no Cityscapes id: not labelIds, whatever it is
        assertLoadRefused(Preset.CITYSCAPES, root, gt + ": label value 40 at (y 0, x 4) is neither a class nor the ignore"
                + " value of this dataset: " + useInstead);

        // through the command line: exit code 2 and one line, no stack trace
        CliTest.Run r = CliTest.run("eval", "--preset", "cityscapes", "--head-width", "16", "--data", root.toString(),
                "--split", "val");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + gt + ": label value 40"), r.err());
    }

    // ---- helpers

    /** Two iterations of training, then an evaluation of the model they wrote; returns the training run. */
    private CliTest.Run trainAndEval(Preset p, Path root, String evalSplit, int trainImages, int evalImages)
            throws IOException {
        Path out = dir.resolve("run_" + root.getFileName());
        CliTest.Run train = CliTest.run("train", "--preset", p.cliName(), "--data", root.toString(), "--out", out.toString(),
                "--iters", "2", "--batch", "2", "--crop", "64x64", "--head-width", "16", "--eval-every", "0",
                "--checkpoint-every", "2", "--loss", "ce");
        assertEquals(0, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("train: " + trainImages + " images"), train.out());
        Matcher m = Pattern.compile("final model (\\S+)").matcher(train.out());
        assertTrue(m.find(), train.out());
        eval(p, root, evalSplit, evalImages, "--checkpoint", m.group(1));
        return train;
    }

    /**
     * Evaluates on {@code split} and checks the image count in the table and the JSON. Without
     * a checkpoint argument the model is the preset's default (random, or CamVid's shipped one):
     * for layouts whose training another test already covers.
     */
    private CliTest.Run eval(Preset p, Path root, String split, int images, String... model) throws IOException {
        Path json = dir.resolve("eval_" + root.getFileName() + ".json");
        List<String> args = new ArrayList<>(List.of("eval", "--preset", p.cliName(), "--data", root.toString(),
                "--split", split, "--json", json.toString()));
        args.addAll(model.length > 0 ? List.of(model) : List.of("--head-width", "16"));
        CliTest.Run eval = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, eval.code(), eval.out() + eval.err());
        assertTrue(eval.out().contains(split + " split, " + images + " images"), eval.out());
        assertEquals(images, new ObjectMapper().readTree(json.toFile()).get("num_images").asInt());
        return eval;
    }

    /** Each label file sits beside its image under the layout's naming. */
    private static void assertPairs(SegDataset ds, String imageSuffix, String labelSuffix) {
        for (int i = 0; i < ds.size(); i++) {
            String img = ds.sample(i).image().getFileName().toString();
            String lab = ds.sample(i).label().getFileName().toString();
            assertTrue(img.endsWith(imageSuffix) && lab.endsWith(labelSuffix), img + " / " + lab);
            assertEquals(img.substring(0, img.length() - imageSuffix.length()),
                    lab.substring(0, lab.length() - labelSuffix.length()), "pair " + i);
        }
    }

    /** Every pixel's class is the hand-written mapping of the raw value drawn there; every class is counted. */
    private static void assertMapping(SegDataset ds, Iterable<Integer> raw, Map<Integer, Integer> expected) {
        List<Integer> values = new ArrayList<>();
        raw.forEach(values::add);
        values.sort(null);
        for (int i = 0; i < ds.size(); i++) {
            SegDataset.Item item = ds.load(i);
            assertEquals(H, item.image().height());
            assertEquals(W, item.image().width());
            Map<Integer, Integer> counts = new TreeMap<>();
            Map<Integer, Integer> expectedCounts = new TreeMap<>();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int want = expected.get(values.get(pattern(y, x, i, values.size())));
                    expectedCounts.merge(want, 1, Integer::sum);
                    counts.merge(item.labels()[y * W + x] & 0xff, 1, Integer::sum);
                }
            }
            assertEquals(expectedCounts, counts, "class counts of " + item.name());
            for (int y = 0; y < H; y += 7) {
                for (int x = 0; x < W; x += 5) {
                    int v = values.get(pattern(y, x, i, values.size()));
                    assertEquals((int) expected.get(v), item.labels()[y * W + x] & 0xff, "raw " + v + " at " + y + "," + x);
                }
            }
        }
    }

    /** Which of the n raw values sample k holds at (y, x): vertical bands of 4 pixels (24 of them), shifted per sample. */
    private static int pattern(int y, int x, int k, int n) {
        return (x / 4 + k) % n;
    }

    private static void assertRefused(Preset p, Path root, String message) {
        UserException e = assertThrows(UserException.class, () -> Datasets.open(p, root, "val", false));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    private static void assertLoadRefused(Preset p, Path root, String message) {
        SegDataset ds = Datasets.open(p, root, "val", false);
        UserException e = assertThrows(UserException.class, () -> ds.load(0));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /** A CamVid folder layout with two train and two val images holding raw labels 1, 5, 9 and 11 (void). */
    static Path twoImageCamvid(Path root) throws IOException {
        for (String split : List.of("train", "val")) {
            for (int k = 0; k < 2; k++) {
                String stem = "Seq05VD_f0" + (1000 + 30 * k);
                image(root.resolve(split + "/" + stem + ".png"), k);
                label(root.resolve(split + "annot/" + stem + ".png"), java.util.Set.of(1, 5, 9, 11), k);
            }
        }
        return root;
    }

    private static void image(Path file, int k) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img.setRGB(x, y, (x * 2) << 16 | (y * 3) << 8 | 40 * k);
        String name = file.getFileName().toString();
        ImageIO.write(img, name.substring(name.lastIndexOf('.') + 1), file.toFile());
    }

    /** A single-channel label (16-bit when a value needs it) holding {@code values} in the sample's {@link #pattern}. */
    private static void label(Path file, Iterable<Integer> raw, int k) throws IOException {
        Files.createDirectories(file.getParent());
        List<Integer> values = new ArrayList<>();
        raw.forEach(values::add);
        values.sort(null);
        boolean wide = values.get(values.size() - 1) > 255;
        BufferedImage img = new BufferedImage(W, H, wide ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img.getRaster().setSample(x, y, 0, values.get(pattern(y, x, k, values.size())));
        ImageIO.write(img, "png", file.toFile());
    }

    /** An RGBA colour rendering like Cityscapes' *_gtFine_color.png. */
    private static void colourLabel(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img.setRGB(x, y, 0xff804080);
        ImageIO.write(img, "png", file.toFile());
    }
}
