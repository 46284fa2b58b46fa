package dev.bisenet.train;

/**
 * Per-dataset defaults of {@code bisenet train}, from the paper and the reference configs;
 * the command line overrides any of them.
 */
public record TrainDefaults(int iters, int batch, int cropHeight, int cropWidth, double scaleMin, double scaleMax,
        double lr, double weightDecay, int evalEvery) {

    public static TrainDefaults forPreset(String preset) {
        return switch (preset) {
            // Reference config: 150k iterations of 16 (8 per GPU x 2), 512x1024 crops, scales 0.25-2.
            case "cityscapes" -> new TrainDefaults(150_000, 16, 512, 1024, 0.25, 2.0, 5e-3, 5e-4, 5000);
            // Paper: 10k iterations, scales 0.75-2.0, wd 5e-4. Crops 352x480, the largest multiple of 32
            // inside CamVid's 360x480, at batch 8 (CPU budget); lr 1e-2 for batch 8 from scratch.
            case "camvid" -> new TrainDefaults(10_000, 8, 352, 480, 0.75, 2.0, 1e-2, 5e-4, 500);
            // Reference configs: 640x640 crops, wd 1e-4; COCO 180k, ADE20K 160k iterations.
            case "coco" -> new TrainDefaults(180_000, 16, 640, 640, 0.75, 2.0, 5e-3, 1e-4, 5000);
            case "ade20k" -> new TrainDefaults(160_000, 16, 640, 640, 0.5, 2.0, 5e-3, 1e-4, 5000);
            // A custom dataset: a middle ground; evaluate often enough to see progress.
            default -> new TrainDefaults(20_000, 8, 512, 512, 0.75, 2.0, 5e-3, 5e-4, 1000);
        };
    }
}
