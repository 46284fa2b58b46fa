package dev.bisenet.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.data.Datasets;
import dev.bisenet.data.Preset;
import dev.bisenet.data.SegDataset;
import dev.bisenet.export.ImageCalibration;
import dev.bisenet.infer.OnnxBackend;
import dev.bisenet.image.Padding;
import dev.bisenet.image.Preprocess;
import dev.bisenet.image.Rgb;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The int8 export of a trained CamVid checkpoint (the shipped model, or {@code $BISENET_CAMVID_CHECKPOINT},
 * CamVid found as for the data tests), calibrated on 16 training images: on val images its
 * labels agree with float32 on at least 97% of pixels. (A 1700-iteration CamVid checkpoint gives
 * 98.3% here; calibrated on 200 images, 98.3% over all 101 val images.)
 */
class Int8CamVidTest {

    @Test
    void trainedCheckpointAgreesWithFloat32OnValImages() {
        String ckpt = System.getenv("BISENET_CAMVID_CHECKPOINT");
        if (ckpt == null && dev.bisenet.util.TestPaths.shippedModel() != null) {
            ckpt = dev.bisenet.util.TestPaths.shippedModel().toString(); // the shipped model
        }
        Assumptions.assumeTrue(ckpt != null && Files.isRegularFile(Path.of(ckpt)),
                "skipped: no CamVid-trained .pth (models/bisenetv2_camvid.pth or $BISENET_CAMVID_CHECKPOINT)");
        Path data = camvid();
        Assumptions.assumeTrue(data != null, "skipped: no CamVid at $BISENET_CAMVID or ../shared/data/camvid");

        StateDict sd = PthReader.readStateDict(Path.of(ckpt));
        Calibration cal;
        try (Calibrator c = Calibrator.create(sd, "camvid", 2)) {
            SegDataset train = Datasets.open(Preset.CAMVID, data, "train", false);
            ImageCalibration.add(c, train.size(), i -> train.load(i).image(), Preset.CAMVID.mean(),
                    Preset.CAMVID.std(), 16, k -> { });
            cal = c.calibration(RangeMethod.percentile(99.999));
        }
        OnnxExportOptions opts = OnnxExportOptions.defaults().withArgmax(true);
        SegDataset val = Datasets.open(Preset.CAMVID, data, "val", false);
        long same = 0, total = 0;
        try (OnnxBackend f = OnnxBackend.fromBytes(OnnxExporter.export(sd, "camvid", opts), "fp32", new OnnxBackend.Options(2));
                OnnxBackend q = OnnxBackend.fromBytes(OnnxExporter.export(sd, "camvid", opts.withInt8(cal)), "int8",
                        new OnnxBackend.Options(2))) {
            for (int i : ImageCalibration.pick(val.size(), 3)) {
                Rgb img = val.load(i).image();
                int h = Padding.ceil32(img.height()), w = Padding.ceil32(img.width());
                float[] x = new float[3 * h * w];
                Preprocess.normalise(img.pixels(), img.height(), img.width(), Preset.CAMVID.mean(), Preset.CAMVID.std(), x, 0, h, w);
                int[] a = f.labels(x, 1, h, w);
                int[] b = q.labels(x, 1, h, w);
                for (int y = 0; y < img.height(); y++) {
                    for (int xx = 0; xx < img.width(); xx++) {
                        if (a[y * w + xx] == b[y * w + xx]) same++;
                        total++;
                    }
                }
            }
        }
        double agree = (double) same / total;
        System.out.printf("int8 vs fp32 on 3 CamVid val images: %.2f%% of labels agree%n", 100 * agree);
        assertTrue(agree >= 0.97, "labels agree on " + agree);
    }

    static Path camvid() {
        String env = System.getenv("BISENET_CAMVID");
        for (Path p : new Path[] {env != null ? Path.of(env) : null, dev.bisenet.util.TestPaths.shared("data/camvid")}) {
            if (p != null && Files.isRegularFile(p.resolve("train.txt"))) return p;
        }
        return null;
    }
}
