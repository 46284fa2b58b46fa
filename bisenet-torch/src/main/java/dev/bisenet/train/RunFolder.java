package dev.bisenet.train;

import dev.bisenet.checkpoint.PthReader;
import dev.bisenet.checkpoint.PthWriter;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.checkpoint.StateDict;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A training run's folder: checkpoints, the metrics file and the curves.
 *
 * <pre>
 * RUN/checkpoints/iter_000500.pth    weights, a bare reference state_dict
 * RUN/checkpoints/iter_000500.optim  SGD momentum (torch zip format, not a model)
 * RUN/checkpoints/iter_000500.json   sidecar: config, iteration, metrics; written last, so a
 *                                    checkpoint without it is incomplete and never resumed from
 * RUN/best.pth (+ .json)             best validation mIoU so far
 * RUN/model_final.pth (+ .json)      written at the end of the run
 * RUN/metrics.jsonl, RUN/curves.png
 * </pre>
 * Every file is written atomically (temporary file, then rename).
 */
public final class RunFolder {

    private static final Pattern CHECKPOINT = Pattern.compile("iter_(\\d{6,})\\.json");

    private final Path root;

    public RunFolder(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path metricsFile() {
        return root.resolve("metrics.jsonl");
    }

    public Path curves() {
        return root.resolve("curves.png");
    }

    public Path best() {
        return root.resolve("best.pth");
    }

    public Path finalModel() {
        return root.resolve("model_final.pth");
    }

    static Path optimFor(Path pth) {
        String n = pth.getFileName().toString();
        return pth.resolveSibling(n.substring(0, n.length() - ".pth".length()) + ".optim");
    }

    /** Writes weights, momentum and sidecar of iteration {@code it}; the sidecar last. */
    public Path save(int it, StateDict weights, StateDict momentum, Sidecar side) throws IOException {
        Path pth = checkpoints().resolve(String.format(Locale.ROOT, "iter_%06d.pth", it));
        PthWriter.write(weights, pth);
        PthWriter.write(momentum, optimFor(pth));
        side.writeFor(pth);
        return pth;
    }

    /** Writes a model (weights + sidecar) under {@code pth}, e.g. best.pth or model_final.pth. */
    public static void saveModel(Path pth, StateDict weights, Sidecar side) throws IOException {
        PthWriter.write(weights, pth);
        side.writeFor(pth);
    }

    /** Deletes all but the newest {@code keep} complete checkpoints. */
    public void prune(int keep) throws IOException {
        List<Integer> its = completed();
        for (int i = 0; i < its.size() - keep; i++) {
            Path pth = checkpoints().resolve(String.format(Locale.ROOT, "iter_%06d.pth", its.get(i)));
            Files.deleteIfExists(Sidecar.pathFor(pth)); // sidecar first: the checkpoint stops counting at once
            Files.deleteIfExists(pth);
            Files.deleteIfExists(optimFor(pth));
        }
    }

    /** Iterations with a complete checkpoint (sidecar, weights and momentum), oldest first. */
    public List<Integer> completed() throws IOException {
        List<Integer> out = new ArrayList<>();
        if (!Files.isDirectory(checkpoints())) {
            return out;
        }
        try (Stream<Path> s = Files.list(checkpoints())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    Path pth = p.resolveSibling("iter_" + m.group(1) + ".pth");
                    if (Files.isRegularFile(pth) && Files.isRegularFile(optimFor(pth))) {
                        out.add(Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** A checkpoint to resume from. */
    public record Resume(int iteration, Path pth, StateDict weights, StateDict momentum, Sidecar side) {}

    /** The newest complete checkpoint that reads back, or null when the run has none. */
    public Resume latest() throws IOException {
        List<Integer> its = completed();
        for (int i = its.size() - 1; i >= 0; i--) {
            Path pth = checkpoints().resolve(String.format(Locale.ROOT, "iter_%06d.pth", its.get(i)));
            try {
                Sidecar side = Sidecar.readFor(pth);
                return new Resume(its.get(i), pth, PthReader.readStateDict(pth), PthReader.readStateDict(optimFor(pth)), side);
            } catch (UserException e) {
                System.err.println("warning: skipping unreadable checkpoint " + pth + ": " + e.getMessage());
            }
        }
        return null;
    }
}
