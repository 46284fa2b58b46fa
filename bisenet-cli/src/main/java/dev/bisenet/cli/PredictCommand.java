package dev.bisenet.cli;

import dev.bisenet.image.Rgb;
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
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
            "  ./bisenet predict --checkpoint m.pth --input one.png --output out/ --logits one_logits.npy"})
public final class PredictCommand implements Callable<Integer> {

    static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "wbmp");

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

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws IOException {
        common.configureEngine();
        // ONNX Runtime is the default for predict: its logits match the PyTorch engine's to 1e-5
        // (both are tested against the reference implementation) and it is faster on CPUs.
        model.defaultBackend = "onnx";
        PrintStream out = System.out;
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
        int failed = 0;
        try (Segmenter seg = model.open(out, common.threads())) {
            for (Path file : inputs) {
                try {
                    long t0 = System.nanoTime();
                    Rgb image = Rgb.read(file);
                    Segmentation s = seg.segment(image);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    String stem = stem(file);
                    AtomicFiles.write(output.resolve(stem + ".png"), s.labelsPng());
                    AtomicFiles.write(output.resolve(stem + "_color.png"), s.colorPng());
                    AtomicFiles.write(output.resolve(stem + "_overlay.png"), s.overlayPng(image, alpha));
                    if (logits != null) {
                        float[] l = seg.logits(image);
                        Npy.writeFloats(logits, l, seg.backend().numClasses(), image.height(), image.width());
                    }
                    out.printf(Locale.ROOT, "%s: %dx%d, %.1f ms%n", file, image.height(), image.width(), ms);
                } catch (UserException e) {
                    failed++;
                    System.err.println("error: " + e.getMessage());
                }
            }
        }
        if (failed > 0) {
            System.err.printf("%d of %d images failed; the others were written to %s%n", failed, inputs.size(), output);
            return Main.EXIT_PARTIAL;
        }
        return 0;
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
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1));
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
