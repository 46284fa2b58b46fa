package dev.bisenet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.image.Rgb;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferRequestTest {

    static final long PIXELS = 1 << 20;

    static InferRequest parse(String json) {
        return InferRequest.parse(json.getBytes(StandardCharsets.UTF_8), 3 * PIXELS);
    }

    static ApiError refused(String json) {
        return assertThrows(ApiError.class, () -> {
            InferRequest r = parse(json);
            if (r.inputName().equals("image")) r.image(PIXELS);
            else r.tensorSize(PIXELS);
        });
    }

    @Test
    void flatAndNestedDataAreTheSameRowMajorTensor() {
        String flat = "{\"id\":\"r1\",\"inputs\":[{\"name\":\"image\",\"shape\":[1,2,3],\"datatype\":\"UINT8\","
                + "\"data\":[1,2,3,4,5,6]}]}";
        String nested = "{\"inputs\":[{\"data\":[[[1,2,3],[4,5,6]]],\"datatype\":\"UINT8\",\"shape\":[1,1,2,3],"
                + "\"name\":\"image\",\"parameters\":{\"x\":[1,{\"y\":2}]}}],\"parameters\":{\"p\":1}}";
        Rgb a = parse(flat).image(PIXELS);
        Rgb b = parse(nested).image(PIXELS);
        assertEquals(1, a.height());
        assertEquals(2, a.width());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, a.pixels());
        assertArrayEquals(a.pixels(), b.pixels());
        assertEquals("r1", parse(flat).id());
        assertEquals(List.of("labels"), parse(flat).outputs(), "labels when outputs are not named");
    }

    @Test
    void outputsAreThoseAskedFor() {
        InferRequest r = parse("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,1,1],\"datatype\":\"FP32\",\"data\":[0.5,-1,2e-3]}],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":false}},{\"name\":\"labels\"}]}");
        assertEquals(List.of("logits", "labels"), r.outputs());
        assertArrayEquals(new int[] {1, 1}, r.tensorSize(PIXELS));
        assertEquals(-1f, r.data()[1]);
    }

    @Test
    void wrongShapesDatatypesAndValuesSayWhatIsExpected() {
        String img = "{\"inputs\":[{\"name\":\"image\",\"shape\":%s,\"datatype\":\"%s\",\"data\":%s}]}";
        assertTrue(refused(String.format(img, "[2,3]", "UINT8", "[1,2,3,4,5,6]")).getMessage().contains("[H, W, 3]"));
        assertTrue(refused(String.format(img, "[1,2,4]", "UINT8", "[1,2,3,4,5,6,7,8]")).getMessage().contains("[H, W, 3]"));
        assertTrue(refused(String.format(img, "[1,1,3]", "FP32", "[1,2,3]")).getMessage().contains("must be UINT8"));
        assertTrue(refused(String.format(img, "[2,1,1,3]", "UINT8", "[1,2,3,4,5,6]")).getMessage().contains("one image per"));
        assertTrue(refused(String.format(img, "[1,2,3]", "UINT8", "[1,2,3]")).getMessage().contains("holds 3 values"));
        assertTrue(refused(String.format(img, "[1,1,3]", "UINT8", "[1,2,256]")).getMessage().contains("0-255"));
        assertTrue(refused(String.format(img, "[1,1,3]", "UINT8", "[1,2,1.5]")).getMessage().contains("whole numbers"));
        assertTrue(refused(String.format(img, "[1,1,3]", "UINT8", "[1,2,\"3\"]")).getMessage().contains("numbers"));
        assertTrue(refused(String.format(img, "[0,1,3]", "UINT8", "[]")).getMessage().contains("1 or more"));
        assertEquals(413, refused(String.format(img, "[2000,2000,3]", "UINT8", "[1]")).status);
        String in = "{\"inputs\":[{\"name\":\"input\",\"shape\":%s,\"datatype\":\"%s\",\"data\":[0,0,0]}]}";
        assertTrue(refused(String.format(in, "[1,3,1,1]", "UINT8")).getMessage().contains("must be FP32"));
        assertTrue(refused(String.format(in, "[3,1,1]", "FP32")).getMessage().contains("[1, 3, H, W]"));
        for (ApiError e : List.of(refused(String.format(img, "[1,1,3]", "UINT8", "[1,2,3]").replace("image", "pixels")),
                refused("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,3],\"datatype\":\"UINT8\",\"data\":[1,2,3]}],"
                        + "\"outputs\":[{\"name\":\"probabilities\"}]}"),
                refused("{\"inputs\":[]}"), refused("not json"), refused("{\"inputs\":[{\"name\":\"image\"}]}"),
                refused("[1,2]"), refused("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,3],\"datatype\":\"UINT8\",\"data\":[1,2"))) {
            assertEquals(400, e.status, e.getMessage());
        }
    }

    @Test
    void dataBeyondTheCapIsRefusedBeforeItGrows() {
        StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"image\",\"shape\":[10,10,3],\"datatype\":\"UINT8\",\"data\":[");
        for (int i = 0; i < 5000; i++) sb.append(i == 0 ? "0" : ",0");
        sb.append("]}]}");
        ApiError e = assertThrows(ApiError.class, () -> InferRequest.parse(sb.toString().getBytes(StandardCharsets.UTF_8), 300));
        assertEquals(413, e.status);
        String deep = "{\"inputs\":[{\"name\":\"image\",\"data\":" + "[".repeat(100) + "]".repeat(100) + "}]}";
        assertEquals(400, assertThrows(ApiError.class, () -> parse(deep)).status, "nesting is limited");
    }
}
