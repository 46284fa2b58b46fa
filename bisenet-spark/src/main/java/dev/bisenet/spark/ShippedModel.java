package dev.bisenet.spark;

import dev.bisenet.data.Preset;
import dev.bisenet.infer.Backends;
import dev.bisenet.infer.ModelLoader;
import dev.bisenet.infer.Precision;
import dev.bisenet.spec.Sidecar;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A model as a Spark job carries it to its executors: the checkpoint, its sidecar and its int8
 * calibration as bytes, with the loader's other options, so that executors need no shared file
 * system. Sent once per executor as a broadcast; {@link ExecutorModels} opens it once per JVM.
 */
public final class ShippedModel implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Tells models apart in an executor's cache; a new one per job. */
    final String id = UUID.randomUUID().toString();
    final String fileName;        // the checkpoint's name (its extension picks the format); null: random
    final byte[] checkpoint;
    final byte[] sidecar;         // NAME.json beside a .pth, or null
    final byte[] calibration;     // the int8 calibration, or null
    final String preset;
    final Integer classes;
    final float[] mean;
    final float[] std;
    final String backend;
    final String precision;
    final Integer headWidth;
    /** Engine threads on each executor; 0: all of the executor machine's cores. */
    final int threads;

    private ShippedModel(ModelLoader.Options o, int threads) throws IOException {
        Path file = o.checkpoint();
        this.fileName = file != null ? file.getFileName().toString() : null;
        this.checkpoint = file != null ? Files.readAllBytes(file) : null;
        Path side = file != null && !Backends.isOnnx(file) ? Sidecar.pathFor(file) : null;
        this.sidecar = side != null && Files.isRegularFile(side) ? Files.readAllBytes(side) : null;
        Path cal = null;
        if (file != null && o.precision() == Precision.INT8 && !Backends.isOnnx(file)) {
            cal = o.calibration() != null ? o.calibration() : Backends.calibrationFor(file);
        }
        this.calibration = cal != null && Files.isRegularFile(cal) ? Files.readAllBytes(cal) : null;
        this.preset = o.preset() != null ? o.preset().cliName() : null;
        this.classes = o.classes();
        this.mean = o.mean();
        this.std = o.std();
        this.backend = o.backend().name();
        this.precision = o.precision().name();
        this.headWidth = o.headWidth();
        this.threads = threads;
    }

    /**
     * Reads the files {@code o} names into memory.
     *
     * @param threads engine threads per executor, 0 for all cores
     */
    public static ShippedModel of(ModelLoader.Options o, int threads) {
        try {
            return new ShippedModel(o, threads);
        } catch (IOException e) {
            throw new UserException("cannot read the model " + o.checkpoint() + ": " + e.getMessage());
        }
    }

    /** The size of what travels, in bytes. */
    public long bytes() {
        return len(checkpoint) + len(sidecar) + len(calibration);
    }

    private static long len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /** Writes the files into {@code dir} (a new folder of this JVM) and opens the model from them. */
    ModelLoader.Loaded open(Path dir) {
        try {
            ModelLoader.Options o = new ModelLoader.Options()
                    .preset(preset != null ? Preset.parse(preset) : null)
                    .classes(classes)
                    .normalisation(mean, std)
                    .backend(Backends.Kind.valueOf(backend))
                    .precision(Precision.valueOf(precision))
                    .headWidth(headWidth)
                    .threads(threads);
            if (fileName != null) {
                Files.createDirectories(dir);
                Path file = dir.resolve(fileName);
                Files.write(file, checkpoint);
                file.toFile().deleteOnExit(); // files go before their folder, registered earlier
                if (sidecar != null) {
                    Files.write(Sidecar.pathFor(file), sidecar);
                    Sidecar.pathFor(file).toFile().deleteOnExit();
                }
                if (calibration != null) {
                    Path cal = Backends.calibrationFor(file);
                    Files.write(cal, calibration);
                    cal.toFile().deleteOnExit();
                    o.calibration(cal);
                }
                o.checkpoint(file);
            }
            return ModelLoader.open(o, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shipped model under " + dir, e);
        }
    }
}
