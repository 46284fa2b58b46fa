package dev.bisenet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class EvalReportTest {

    static final List<String> NAMES = List.of("road", "car", "sky", "bike, parked");

    // the tiny example of ConfusionMatrixTest with a fourth class that never occurs
    static EvalReport report() {
        return new EvalReport(NAMES, Metrics.of(MetricsTest.tiny(4)), 3, Mode.MSF, 1.0, "val",
                "model_final_v2_city.pth");
    }

    @Test
    void jsonHasNullNotNaNAndTheHandWorkedNumbers() throws Exception {
        String text = report().toJson();
        assertFalse(text.contains("NaN"), text);
        JsonNode json = new ObjectMapper().readTree(text);
        assertEquals(5.0 / 12, json.get("miou").asDouble(), 1e-12);
        assertEquals(4.0 / 7, json.get("pixel_accuracy").asDouble(), 1e-12);
        assertEquals(5.0 / 9, json.get("mean_accuracy").asDouble(), 1e-12);
        assertEquals(3.0 / 7, json.get("fw_iou").asDouble(), 1e-12);
        assertEquals(4, json.get("classes").size());
        assertEquals("car", json.get("classes").get(1).get("name").asText());
        assertEquals(0.5, json.get("classes").get(1).get("iou").asDouble(), 1e-12);
        assertTrue(json.get("classes").get(3).get("iou").isNull());
        assertEquals("msf", json.get("mode").asText());
        assertEquals(1.0, json.get("scale").asDouble());
        assertEquals("val", json.get("split").asText());
        assertEquals("model_final_v2_city.pth", json.get("checkpoint").asText());
        assertEquals(3, json.get("num_images").asInt());
        assertEquals(Metrics.MIOU_RULE, json.get("miou_rule").asText());
    }

    @Test
    void tableShowsTheSameNumbersAsJsonInPercent() throws Exception {
        EvalReport r = report();
        String table = r.toTable();
        JsonNode json = new ObjectMapper().readTree(r.toJson());
        for (JsonNode c : json.get("classes")) {
            String cell = c.get("iou").isNull() ? "n/a"
                    : String.format(Locale.ROOT, "%.2f", c.get("iou").asDouble() * 100);
            assertTrue(table.lines().anyMatch(l -> l.startsWith(c.get("name").asText())
                    && l.trim().endsWith(" " + cell)), c + " in\n" + table);
        }
        assertTrue(table.contains("41.67"), table);  // mIoU 5/12
        assertTrue(table.contains("57.14"), table);  // pixel accuracy 4/7
        assertTrue(table.contains("55.56"), table);  // mean accuracy 5/9
        assertTrue(table.contains("42.86"), table);  // fwIoU 3/7
        assertTrue(table.contains("3 of 4 classes"), table);
        assertTrue(table.contains(Metrics.MIOU_RULE), table);
    }

    @Test
    void csvRowsThenSummaryWithEmptyFieldForUndefined() {
        String[] lines = report().toCsv().split("\n");
        assertEquals("class,iou", lines[0]);
        assertEquals("road,0.250000", lines[1]);
        assertEquals("car,0.500000", lines[2]);
        assertEquals("sky,0.500000", lines[3]);
        assertEquals("\"bike, parked\",", lines[4]);
        assertEquals("miou,0.416667", lines[5]);
        assertEquals("pixel_accuracy,0.571429", lines[6]);
        assertEquals("mean_accuracy,0.555556", lines[7]);
        assertEquals("fw_iou,0.428571", lines[8]);
        assertEquals(9, lines.length);
    }

    @Test
    void emptyEvaluationIsAllNull() throws Exception {
        EvalReport r = new EvalReport(List.of("a", "b"), Metrics.of(new ConfusionMatrix(2)), 0,
                Mode.SS, 0.5, null, null);
        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertTrue(json.get("miou").isNull());
        assertTrue(json.get("fw_iou").isNull());
        assertTrue(json.get("split").isNull());
        assertTrue(r.toTable().contains("n/a"));
        assertThrows(IllegalArgumentException.class, () -> new EvalReport(List.of("a"),
                Metrics.of(new ConfusionMatrix(2)), 0, Mode.SS, 1, null, null));
    }
}
