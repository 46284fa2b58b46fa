package dev.bisenet.spark;

import dev.bisenet.infer.ModelLoader;
import dev.bisenet.infer.PredictOutput;
import dev.bisenet.infer.Segmenter;
import java.io.Serializable;
import java.util.Iterator;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Segmentation as a Spark Dataset transformation, for pipelines that already run on Spark: a
 * Dataset of images in (a {@code path} string and a {@code content} binary column, as Spark's
 * {@code binaryFile} source reads them), a Dataset of results out.
 *
 * <pre>{@code
 * SparkSegmenter seg = SparkSegmenter.create(spark, new ModelLoader.Options()
 *         .checkpoint(Path.of("models/bisenetv2_camvid.pth")), 0);
 * Dataset<Row> images = spark.read().format("binaryFile").load("s3a://bucket/frames/");
 * Dataset<Row> out = seg.segment(images);   // path, height, width, pixels, labels_png, error
 * }</pre>
 *
 * <p>The model is read once on the driver and broadcast as bytes; each executor JVM opens it
 * once, however many tasks and images it runs. {@code pixels} holds the pixel count of each
 * class (index = class), {@code labels_png} the label PNG that {@code predict} writes as
 * {@code <stem>.png}; an image that does not decode has only {@code path} and {@code error}.
 */
public final class SparkSegmenter implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The result rows: the table of {@code predict --spark} plus the label PNG. */
    public static final StructType RESULT = ImageWork.TABLE.add("labels_png", DataTypes.BinaryType, true);

    private final Broadcast<ShippedModel> model;

    SparkSegmenter(Broadcast<ShippedModel> model) {
        this.model = model;
    }

    /**
     * Reads the model {@code options} name and broadcasts it.
     *
     * @param threads engine threads on each executor; 0 for all its cores
     */
    public static SparkSegmenter create(SparkSession spark, ModelLoader.Options options, int threads) {
        ShippedModel m = ShippedModel.of(options, threads);
        return new SparkSegmenter(SparkJobSupport.broadcast(spark, m));
    }

    /** Segments each row's {@code content}; see the class comment for the columns. */
    public Dataset<Row> segment(Dataset<Row> images) {
        Broadcast<ShippedModel> m = model;
        MapPartitionsFunction<Row, Row> f = rows -> {
            Segmenter seg = new ImageWork(m.value()).segmenter();
            return new Iterator<Row>() { // one image at a time: a partition is never all in memory
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row r = rows.next();
                    String path = r.getAs("path");
                    byte[] content = r.getAs("content");
                    ImageWork.Outcome o = ImageWork.run(seg, path, content, Set.of(PredictOutput.LABELS), 0.5f);
                    Row t = o.row();
                    return RowFactory.create(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4),
                            o.pngs().get(PredictOutput.LABELS));
                }
            };
        };
        return images.select("path", "content").mapPartitions(f, Encoders.row(RESULT));
    }
}
