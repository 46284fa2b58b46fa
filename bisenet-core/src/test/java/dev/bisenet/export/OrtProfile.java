package dev.bisenet.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a model under ONNX Runtime's profiler and sums its trace per operator type: which kernels
 * really ran after graph optimisation (QLinearConv or float Conv, inserted Transposes...) and how
 * long each kind took.
 */
final class OrtProfile {

    /**
     * @param kernels kernel launches per op type, per run
     * @param micros kernel time per op type, microseconds per run
     * @param names the node names per op type
     */
    record Summary(Map<String, Integer> kernels, Map<String, Double> micros, Map<String, java.util.Set<String>> names) {
        int count(String op) {
            return kernels.getOrDefault(op, 0);
        }

        double totalMicros() {
            return micros.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** One line per op type, slowest first. */
        String table() {
            StringBuilder s = new StringBuilder();
            micros.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).forEach(e ->
                    s.append(String.format("  %-28s %4d nodes %9.2f ms%n", e.getKey(), count(e.getKey()), e.getValue() / 1000)));
            return s.toString();
        }
    }

    private OrtProfile() {}

    /**
     * Profiles {@code runs} runs (after a warm-up run, left out of the sums) on one (1, 3, h, w)
     * input, the session configured with {@code config} entries besides the usual settings.
     */
    static Summary run(byte[] model, float[] input, int h, int w, int threads, int runs, Path dir,
            Map<String, String> config) throws OrtException, IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path trace;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            so.enableProfiling(dir.resolve("ort-profile").toString());
            for (Map.Entry<String, String> e : config.entrySet()) so.addConfigEntry(e.getKey(), e.getValue());
            try (OrtSession s = env.createSession(model, so);
                    OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, h, w})) {
                for (int i = 0; i < runs + 1; i++) {
                    s.run(Map.of(OnnxExporter.INPUT, x)).close();
                }
                trace = Path.of(s.endProfiling());
            }
        }
        Map<String, Integer> kernels = new TreeMap<>();
        Map<String, Double> micros = new TreeMap<>();
        Map<String, java.util.Set<String>> names = new TreeMap<>();
        JsonNode events = new ObjectMapper().readTree(Files.readAllBytes(trace));
        double firstRunEnd = Double.POSITIVE_INFINITY; // the warm-up run is left out
        for (JsonNode e : events) {
            if ("Session".equals(e.path("cat").asText()) && "model_run".equals(e.path("name").asText())) {
                firstRunEnd = Math.min(firstRunEnd, e.path("ts").asDouble() + e.path("dur").asDouble());
            }
        }
        for (JsonNode e : events) {
            if (!"Node".equals(e.path("cat").asText()) || !e.path("name").asText().endsWith("_kernel_time")
                    || e.path("ts").asDouble() <= firstRunEnd) {
                continue;
            }
            String op = e.path("args").path("op_name").asText();
            kernels.merge(op, 1, Integer::sum);
            micros.merge(op, e.path("dur").asDouble(), Double::sum);
            String name = e.path("name").asText();
            names.computeIfAbsent(op, k -> new java.util.TreeSet<>()).add(name.substring(0, name.length() - "_kernel_time".length()));
        }
        Files.deleteIfExists(trace);
        kernels.replaceAll((k, v) -> v / runs);
        micros.replaceAll((k, v) -> v / runs);
        return new Summary(kernels, micros, names);
    }
}
