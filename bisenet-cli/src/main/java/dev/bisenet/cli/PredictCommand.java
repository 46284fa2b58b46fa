package dev.bisenet.cli;

import dev.bisenet.util.FileNames;
import dev.bisenet.image.Rgb;
import dev.bisenet.infer.FolderPredictor;
import dev.bisenet.infer.PredictOutput;
import dev.bisenet.infer.Segmentation;
import dev.bisenet.infer.Segmenter;
import dev.bisenet.util.AtomicFiles;
import dev.bisenet.util.Npy;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bisenet predict}: segment an image or a folder of images. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segment images. For each input <stem>.<ext> it writes, under --output:",
            "  <stem>.png          label indices (8-bit, one channel)",
            "  <stem>_color.png    the classes in the palette's colours",
            "  <stem>_overlay.png  the image blended with those colours",
            "all at the input's size. Any size works: the input is zero-padded to multiples of 32",
            "after normalisation and the result cropped back."},
        footer = {"", "Examples:",
            "  ./bisenet predict --preset camvid --input street.png --output out/",
            "  ./bisenet predict --checkpoint model_final_v2_city.pth --preset cityscapes --input frames/ --output out/",
            "  ./bisenet predict --checkpoint m.pth --input one.png --output out/ --logits one_logits.npy",
            "  ./bisenet predict --preset camvid --input frames/ --output out/ --write labels",
            "  ./bisenet predict --preset camvid --input hdfs:///frames --output hdfs:///out --spark 'local[2]'"})
public final class PredictCommand implements Callable<Integer> {

    static final List<String> IMAGE_EXTENSIONS = FileNames.IMAGE_EXTENSIONS;

    @Mixin
    ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "IMAGE|FOLDER|VIDEO|-",
            description = "An image, a folder of images, a video file (through ffmpeg), or - for y4m (or raw RGB with --raw-size) on standard input.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
    Path output;

    @Option(names = "--logits", paramLabel = "FILE.npy",
            description = "Also write the raw logits of a single input image as float32 NumPy [C,H,W].")
    Path logits;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Colour weight in the overlay (default 0.5).")
    float alpha;

    @Option(names = "--size", paramLabel = "HxW", description = "Video: process frames at this size (ffmpeg scales while decoding); real time on 2 cores needs a reduced size.")
    String size;

    @Option(names = "--max-fps", defaultValue = "0", description = "Video: at most this many frames per second; frames are dropped when the model falls behind.")
    double maxFps;

    @Option(names = "--skip", defaultValue = "1", description = "Video: segment every N-th frame (the output has 1/N of the frame rate).")
    int skip;

    @Option(names = "--labels", description = "Video: also write the label video <stem>_labels.mkv (lossless grey).")
    boolean labelVideo;

    @Option(names = "--raw-size", paramLabel = "HxW", description = "Standard input holds raw rgb24 frames of this size instead of y4m.")
    String rawSize;

    @Option(names = "--fps", description = "Frame rate of raw standard input (default 25).")
    String fps;

    @Option(names = "--write", defaultValue = "labels,color,overlay", paramLabel = "LIST",
            description = "Images and folders: which files to write, some of labels,color,overlay (default: all three).")
    String write;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Run as an Apache Spark job: local[N] (embedded), spark://host:port, yarn, k8s://... "
                    + "--input and --output may then be any Hadoop file system URI; a Parquet table of per-image class "
                    + "pixel counts goes to --output/_table.")
    String spark;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        common.configureEngine();
        // ONNX Runtime is the default for predict: its logits match the PyTorch engine's to 1e-5
        // (both are tested against the reference implementation) and it is faster on CPUs.
        model.defaultBackend = "onnx";
        PrintStream out = System.out;
        Set<PredictOutput> outputs = PredictOutput.parse(write);
        if (spark != null) {
            if ("-".equals(input) || VideoPredict.isVideo(input)) {
                throw new UserException("--spark segments images and folders of images; --input " + input
                        + " is a video or a pipe: run it without --spark");
            }
            if (logits != null) {
                throw new UserException("--logits writes the logits of one image; run it without --spark");
            }
            return SparkJobs.find().predict(new SparkJobs.PredictJob(spark, model, common.threads, input,
                    output.toString(), outputs, alpha), out);
        }
        if (VideoPredict.isVideo(input)) {
            if (logits != null) {
                throw new UserException("--logits writes the logits of one image, not of a video");
            }
            try (Segmenter seg = model.open(out, common.threads())) {
                var opts = dev.bisenet.video.VideoOptions.DEFAULTS.withSkip(skip).withMaxFps(maxFps);
                VideoPredict.run(seg, input, output, size != null ? dev.bisenet.image.Sizes.parse(size, "--size") : null,
                        rawSize != null ? dev.bisenet.video.FrameSources.parseSize(rawSize) : null,
                        fps != null ? dev.bisenet.video.FrameRate.parse(fps) : null, opts, labelVideo, alpha, out);
            }
            return 0;
        }
        Path inputPath = Path.of(input);
        List<Path> inputs = listInputs(inputPath);
        if (logits != null && (Files.isDirectory(inputPath) || inputs.size() != 1)) {
            throw new UserException("--logits writes the logits of one image; --input " + input + " is a folder");
        }
        Files.createDirectories(output);
        if (Files.isDirectory(inputPath)) {
            return predictFolder(inputs, outputs, out);
        }
        Path file = inputs.get(0);
        try (Segmenter seg = model.open(out, common.threads())) {
            try {
                long t0 = System.nanoTime();
                Rgb image = Rgb.read(file);
                Segmentation s = seg.segment(image);
                double ms = (System.nanoTime() - t0) / 1e6;
                for (PredictOutput o : outputs) {
                    AtomicFiles.write(output.resolve(o.fileName(stem(file))), o.png(s, image, alpha));
                }
                if (logits != null) {
                    float[] l = seg.logits(image);
                    Npy.writeFloats(logits, l, seg.backend().numClasses(), image.height(), image.width());
                }
                out.printf(Locale.ROOT, "%s: %dx%d, %.1f ms%n", file, image.height(), image.width(), ms);
            } catch (UserException e) {
                System.err.println("error: " + e.getMessage());
                System.err.printf("1 of 1 images failed; nothing was written to %s%n", output);
                return Main.EXIT_PARTIAL;
            }
        }
        return 0;
    }

    /** A folder: decoding, the network and encoding overlap (FolderPredictor), with progress. */
    private int predictFolder(List<Path> inputs, Set<PredictOutput> outputs, PrintStream out) {
        List<String> stems = inputs.stream().map(PredictCommand::stem).toList();
        quietEngineThreads();
        FolderPredictor.Summary sum;
        try (Segmenter seg = model.open(out, common.threads());
                Progress progress = new Progress(inputs.size())) {
            // two encoders keep up with all three PNGs per image; one is enough for labels alone
            int encoders = outputs.size() > 1 ? 2 : 1;
            sum = new FolderPredictor(seg, outputs, alpha, encoders).run(inputs, stems, output, progress);
        }
        out.printf(Locale.ROOT, "%d images written, %d failed, %.2f img/s (%.1f s) to %s%n",
                sum.written(), sum.failed(), sum.imagesPerSecond(), sum.seconds(), output);
        if (sum.failed() > 0) {
            System.err.printf("%d of %d images failed; the others were written to %s%n", sum.failed(), inputs.size(), output);
            return Main.EXIT_PARTIAL;
        }
        return 0;
    }

    /**
     * ONNX Runtime's threads spin between operators by default, which keeps the cores from the
     * decoding and encoding threads: on this project's 2-core VM, a CamVid folder in int8 ran at
     * 11-18 img/s without spinning against 7-8 img/s with it (alternating runs). Set before the
     * model is opened; {@code -Dbisenet.ort.spin=true} keeps the spinning.
     */
    static void quietEngineThreads() {
        dev.bisenet.infer.ModelLoader.noSpinUnlessSet();
    }

    /** A progress bar with rate and ETA on a terminal; a line every 10% otherwise. Errors as they come. */
    private static final class Progress implements FolderPredictor.Listener, AutoCloseable {
        private final ProgressBar bar;
        private final int total;
        private final long start = System.nanoTime();

        Progress(int total) {
            this.total = total;
            bar = System.console() == null || total < 2 ? null : new ProgressBarBuilder().setTaskName("predict")
                    .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(300)
                    .setUnit(" img", 1).showSpeed().build();
        }

        @Override
        public void written(Path file, int height, int width, int done) {
            step(done);
        }

        @Override
        public void failed(Path file, String message, int done) {
            System.err.println("error: " + message);
            step(done);
        }

        private void step(int done) {
            if (bar != null) {
                bar.stepTo(done);
            } else if (total >= 20 && (done % Math.max(1, total / 10) == 0 || done == total)) {
                double secs = (System.nanoTime() - start) / 1e9;
                double rate = done / Math.max(secs, 1e-9);
                System.err.printf(Locale.ROOT, "  %d/%d images, %.1f img/s, ETA %.0f s%n", done, total, rate,
                        (total - done) / Math.max(rate, 1e-9));
            }
        }

        @Override
        public void close() {
            if (bar != null) bar.close();
        }
    }

    static List<Path> listInputs(Path input) throws IOException {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        if (!Files.isDirectory(input)) {
            throw new UserException(input + ": no such file or folder");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(input)) {
            s.filter(Files::isRegularFile).filter(PredictCommand::isImage).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new UserException(input + ": no images in this folder (looked for " + String.join(", ", IMAGE_EXTENSIONS) + ")");
        }
        return files;
    }

    static boolean isImage(Path p) {
        return FileNames.isImage(p.getFileName().toString());
    }

    static String stem(Path p) {
        return FileNames.stem(p.getFileName().toString());
    }
}
