package dev.bisenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * The run's metrics as JSON lines (one object per logged step or validation, each with
 * {@code iter}), and the loss and validation-mIoU curves drawn from them into a PNG.
 */
public final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;
    private final List<JsonNode> lines = new ArrayList<>();

    /**
     * Opens the log, keeping only lines up to {@code resumeIteration} (a resumed run redoes the
     * iterations after its checkpoint, so later lines would be duplicates).
     */
    public MetricsLog(Path file, int resumeIteration) throws IOException {
        this.file = file;
        List<String> kept = new ArrayList<>();
        if (Files.exists(file) && resumeIteration > 0) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.path("iter").asInt(Integer.MAX_VALUE) <= resumeIteration) {
                        kept.add(line);
                        lines.add(n);
                    }
                } catch (IOException e) {
                    // a line torn by a crash: drop it
                }
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, kept, StandardCharsets.UTF_8);
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Appends one record; it is on disk (flushed) when this returns. */
    public void log(Map<String, Object> record) throws IOException {
        ObjectNode n = JSON.valueToTree(record);
        lines.add(n);
        out.write(JSON.writeValueAsString(n));
        out.newLine();
        out.flush();
    }

    /** Draws training loss and validation mIoU against iterations. */
    public void drawCurves(Path png, String title) throws IOException {
        List<Double> li = new ArrayList<>(), lv = new ArrayList<>(), vi = new ArrayList<>(), vv = new ArrayList<>();
        for (JsonNode n : lines) {
            if (n.has("loss")) {
                li.add(n.get("iter").asDouble());
                lv.add(n.get("loss").asDouble());
            }
            if (n.has("val_miou") && !n.get("val_miou").isNull()) {
                vi.add(n.get("iter").asDouble());
                vv.add(100 * n.get("val_miou").asDouble());
            }
        }
        if (li.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("iteration").yAxisTitle("training loss (sum of 5 heads)").build();
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        XYSeries loss = chart.addSeries("loss", li, lv);
        loss.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        if (!vi.isEmpty()) {
            XYSeries miou = chart.addSeries("val mIoU (%)", vi, vv);
            miou.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "validation mIoU (%)");
        }
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
