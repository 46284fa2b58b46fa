package dev.bisenet.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.bisenet.image.Rgb;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An Open Inference Protocol (KServe v2) inference request, read with a streaming parser: the
 * tensor's numbers go straight into a primitive array whose size is capped before it grows, so a
 * 30 MB body of JSON numbers never becomes millions of tree nodes, and no array is sized by a
 * shape the client declared.
 *
 * <p>{@code {"id": ..., "parameters": {...}, "inputs": [{"name", "shape", "datatype", "data"}],
 * "outputs": [{"name"}]}}; {@code data} may be flat or nested (row-major either way).
 */
record InferRequest(String id, String inputName, String datatype, long[] shape, float[] data, int count,
        List<String> outputs) {

    static final String IMAGE = "image";   // UINT8 [H, W, 3] or [1, H, W, 3]
    static final String INPUT = "input";   // FP32 [1, 3, H, W], normalised
    static final String LABELS = "labels"; // UINT8 [1, H, W]
    static final String LOGITS = "logits"; // FP32 [1, C, H, W]

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 16).build())
            .build();

    /** Parses a request body; {@code maxValues} caps the tensor's element count. */
    static InferRequest parse(byte[] body, long maxValues) {
        if (body.length == 0) {
            throw new ApiError(400, "the request body is empty: send an inference request,"
                    + " {\"inputs\": [{\"name\": \"image\", \"datatype\": \"UINT8\", \"shape\": [H, W, 3], \"data\": [...]}]}");
        }
        try (JsonParser p = JSON.createParser(body)) {
            return new Reader(p, maxValues).request();
        } catch (StreamConstraintsException e) {
            throw new ApiError(400, "the request's JSON is outside this server's limits (" + e.getOriginalMessage() + ")");
        } catch (IOException e) { // JsonParseException included: the body is not JSON
            String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ApiError(400, "the request body is not valid JSON (" + m + ")");
        }
    }

    /** The {@code image} input as RGB, after checking datatype, shape and values. */
    Rgb image(long maxPixels) {
        if (!datatype.equals("UINT8")) {
            throw new ApiError(400, "input 'image' has datatype " + datatype + ": it must be UINT8 (RGB bytes 0-255)");
        }
        boolean batched = shape.length == 4;
        if (!(shape.length == 3 || batched) || shape[shape.length - 1] != 3) {
            throw new ApiError(400, "input 'image' has shape " + Arrays.toString(shape)
                    + ": it must be [H, W, 3] or [1, H, W, 3] (RGB, channels last)");
        }
        if (batched && shape[0] != 1) {
            throw new ApiError(400, "input 'image' has a batch of " + shape[0] + " in one request: send one image per"
                    + " request, shape [1, H, W, 3] (the server batches concurrent requests itself)");
        }
        int h = dim(shape[shape.length - 3], maxPixels), w = dim(shape[shape.length - 2], maxPixels);
        checkPixels(h, w, maxPixels);
        checkCount(3L * h * w);
        byte[] px = new byte[3 * h * w];
        for (int i = 0; i < px.length; i++) {
            float v = data[i];
            if (!(v >= 0 && v <= 255) || v != Math.rint(v)) {
                throw new ApiError(400, "input 'image' holds " + v + " at element " + i + ": UINT8 values are whole numbers 0-255");
            }
            px[i] = (byte) (int) v;
        }
        return new Rgb(h, w, px);
    }

    /** The {@code input} tensor, (3, H, W) normalised, after checking datatype and shape; returns {H, W}. */
    int[] tensorSize(long maxPixels) {
        if (!datatype.equals("FP32")) {
            throw new ApiError(400, "input 'input' has datatype " + datatype + ": it must be FP32 (the normalised image)");
        }
        if (shape.length != 4 || shape[0] != 1 || shape[1] != 3) {
            throw new ApiError(400, "input 'input' has shape " + Arrays.toString(shape) + ": it must be [1, 3, H, W]");
        }
        int h = dim(shape[2], maxPixels), w = dim(shape[3], maxPixels);
        checkPixels(h, w, maxPixels);
        checkCount(3L * h * w);
        return new int[] {h, w};
    }

    private static int dim(long d, long maxPixels) {
        if (d < 1 || d > maxPixels) {
            throw new ApiError(400, "a dimension of " + d + " in the input's shape: height and width must be 1 or more"
                    + " and H x W at most " + maxPixels + " (--max-pixels)");
        }
        return (int) d;
    }

    private static void checkPixels(int h, int w, long maxPixels) {
        if ((long) h * w > maxPixels) {
            throw new ApiError(413, "the input is " + h + "x" + w + " (" + (long) h * w + " pixels), over the server's limit of "
                    + maxPixels + " pixels (--max-pixels): send a smaller image");
        }
    }

    private void checkCount(long expected) {
        if (count != expected) {
            throw new ApiError(400, "input '" + inputName + "' has shape " + Arrays.toString(shape) + " (" + expected
                    + " values) but its data holds " + count + " values");
        }
    }

    /** A pull parser over the request, one method per JSON object of the schema. */
    private static final class Reader {
        private final JsonParser p;
        private final long maxValues;

        Reader(JsonParser p, long maxValues) {
            this.p = p;
            this.maxValues = maxValues;
        }

        InferRequest request() throws IOException {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the request");
            String id = null;
            List<InferRequest> inputs = new ArrayList<>();
            List<String> outputs = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> {
                        expect(t, JsonToken.VALUE_STRING, "\"id\"");
                        id = p.getText();
                    }
                    case "inputs" -> {
                        expect(t, JsonToken.START_ARRAY, "\"inputs\"");
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            inputs.add(input());
                        }
                    }
                    case "outputs" -> {
                        expect(t, JsonToken.START_ARRAY, "\"outputs\"");
                        outputs = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            outputs.add(output());
                        }
                    }
                    default -> p.skipChildren(); // "parameters" and extensions' fields: nothing this server uses
                }
            }
            if (inputs.size() != 1) {
                throw new ApiError(400, "the request has " + inputs.size() + " inputs: send exactly one, 'image' (UINT8 [H, W, 3])"
                        + " or 'input' (FP32 [1, 3, H, W])");
            }
            InferRequest in = inputs.get(0);
            if (outputs == null) {
                outputs = List.of(LABELS);
            }
            if (outputs.isEmpty()) {
                throw new ApiError(400, "\"outputs\" is empty: ask for 'labels', 'logits' or both, or leave \"outputs\" out");
            }
            return new InferRequest(id, in.inputName, in.datatype, in.shape, in.data, in.count, List.copyOf(outputs));
        }

        private InferRequest input() throws IOException {
            expect(p.currentToken(), JsonToken.START_OBJECT, "an element of \"inputs\"");
            String name = null, datatype = null;
            long[] shape = null;
            float[] data = null;
            int[] count = {0};
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "name" -> {
                        expect(t, JsonToken.VALUE_STRING, "an input's \"name\"");
                        name = p.getText();
                    }
                    case "datatype" -> {
                        expect(t, JsonToken.VALUE_STRING, "an input's \"datatype\"");
                        datatype = p.getText();
                    }
                    case "shape" -> shape = shape(t);
                    case "data" -> data = data(t, count);
                    default -> p.skipChildren();
                }
            }
            if (name == null || datatype == null || shape == null || data == null) {
                throw new ApiError(400, "an input lacks " + (name == null ? "\"name\"" : datatype == null ? "\"datatype\""
                        : shape == null ? "\"shape\"" : "\"data\"") + ": each input needs name, shape, datatype and data");
            }
            if (!name.equals(IMAGE) && !name.equals(INPUT)) {
                throw new ApiError(400, "unknown input '" + name + "': this model takes 'image' (UINT8 [H, W, 3])"
                        + " or 'input' (FP32 [1, 3, H, W], normalised)");
            }
            return new InferRequest(null, name, datatype, shape, data, count[0], List.of());
        }

        private String output() throws IOException {
            expect(p.currentToken(), JsonToken.START_OBJECT, "an element of \"outputs\"");
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("name")) {
                    expect(t, JsonToken.VALUE_STRING, "an output's \"name\"");
                    name = p.getText();
                } else {
                    p.skipChildren(); // "parameters", e.g. binary_data: answered as JSON anyway
                }
            }
            if (!LABELS.equals(name) && !LOGITS.equals(name)) {
                throw new ApiError(400, "unknown output '" + name + "': this model gives 'labels' (UINT8 [1, H, W])"
                        + " and 'logits' (FP32 [1, C, H, W])");
            }
            return name;
        }

        private long[] shape(JsonToken t) throws IOException {
            expect(t, JsonToken.START_ARRAY, "\"shape\"");
            long[] dims = new long[8];
            int n = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw new ApiError(400, "\"shape\" holds " + p.getText() + ": dimensions are whole numbers");
                }
                if (n == dims.length) {
                    throw new ApiError(400, "\"shape\" has more than " + dims.length + " dimensions");
                }
                dims[n++] = p.getLongValue();
            }
            return Arrays.copyOf(dims, n);
        }

        /** Flattens (possibly nested) numbers into a float array that grows by doubling up to maxValues. */
        private float[] data(JsonToken t, int[] count) throws IOException {
            expect(t, JsonToken.START_ARRAY, "\"data\"");
            float[] values = new float[(int) Math.min(4096, maxValues)];
            int n = 0;
            int depth = 1;
            while (depth > 0) {
                JsonToken v = p.nextToken();
                if (v == JsonToken.START_ARRAY) {
                    depth++;
                } else if (v == JsonToken.END_ARRAY) {
                    depth--;
                } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    if (n == values.length) {
                        if (n >= maxValues) {
                            throw new ApiError(413, "\"data\" holds more than " + maxValues + " values, more than any"
                                    + " input this server takes (--max-pixels): send a smaller image");
                        }
                        values = Arrays.copyOf(values, (int) Math.min(maxValues, 2L * n));
                    }
                    values[n++] = p.getFloatValue();
                } else {
                    throw new ApiError(400, "\"data\" holds " + (v == null ? "the end of the body" : v.asString() != null
                            ? v.asString() : "a " + v.name().toLowerCase()) + ": tensor data are numbers (JSON arrays of numbers)");
                }
            }
            count[0] = n;
            return values;
        }

        private void expect(JsonToken got, JsonToken want, String what) {
            if (got != want) {
                throw new ApiError(400, what + " must be a JSON " + (want == JsonToken.START_OBJECT ? "object"
                        : want == JsonToken.START_ARRAY ? "array" : "string") + ", got " + (got == null ? "nothing" : got.name()));
            }
        }
    }
}
