package dev.bisenet.spark;

import dev.bisenet.image.Rgb;
import dev.bisenet.infer.PredictOutput;
import dev.bisenet.infer.Segmentation;
import dev.bisenet.infer.Segmenter;
import dev.bisenet.util.UserException;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What an executor does with one image: decode, segment with this JVM's model, encode the
 * chosen PNGs (the bytes of single-machine {@code predict}), count the pixels of each class.
 * An image that does not decode becomes a row with its path and error, not a failed task.
 */
final class ImageWork implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The Parquet table of {@code predict --spark}: one row per input image. */
    static final StructType TABLE = new StructType(new StructField[] {
        DataTypes.createStructField("path", DataTypes.StringType, false),
        DataTypes.createStructField("height", DataTypes.IntegerType, true),
        DataTypes.createStructField("width", DataTypes.IntegerType, true),
        DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.LongType, false), true),
        DataTypes.createStructField("error", DataTypes.StringType, true),
    });

    private final ShippedModel model;

    ImageWork(ShippedModel model) {
        this.model = model;
    }

    /** One image's outcome: the PNGs asked for, or the error. */
    record Outcome(String path, Rgb image, Segmentation result, Map<PredictOutput, byte[]> pngs, String error) {

        /** The table's row. */
        Row row() {
            if (error != null) {
                return RowFactory.create(path, null, null, null, error);
            }
            return RowFactory.create(path, result.height(), result.width(), pixelCounts(result), null);
        }
    }

    /** A Segmenter over this JVM's shared model (never closed: the model outlives the task). */
    Segmenter segmenter() {
        ExecutorModels.Shared s = ExecutorModels.get(model);
        return new Segmenter(s.backend(), s.info());
    }

    static Outcome run(Segmenter seg, String path, byte[] content, Set<PredictOutput> write, float alpha) {
        Rgb image;
        try {
            image = Rgb.decode(content, path);
        } catch (UserException e) {
            return new Outcome(path, null, null, Map.of(), e.getMessage());
        }
        Segmentation s = seg.segment(image);
        Map<PredictOutput, byte[]> pngs = new java.util.EnumMap<>(PredictOutput.class);
        for (PredictOutput o : write) {
            pngs.put(o, o.png(s, image, alpha));
        }
        return new Outcome(path, image, s, pngs, null);
    }

    /** Pixels of each class, index = class. */
    static long[] pixelCounts(Segmentation s) {
        long[] n = new long[s.info().numClasses()];
        for (int c : s.labels()) {
            if (c >= 0 && c < n.length) {
                n[c]++;
            }
        }
        return n;
    }
}
