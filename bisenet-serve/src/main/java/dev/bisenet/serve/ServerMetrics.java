package dev.bisenet.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one JVM, as in the
 * tests, do not share counts): requests by endpoint and status, latency, batch sizes, queue depth.
 */
final class ServerMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Histogram batchSize;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    ServerMetrics(int maxBatch, IntSupplier queueDepth) {
        requests = Counter.builder().name("bisenet_requests_total")
                .help("HTTP requests by endpoint (route template) and status code")
                .labelNames("endpoint", "status").register(registry);
        latency = Histogram.builder().name("bisenet_request_duration_seconds").unit(Unit.SECONDS)
                .help("Time from the request's arrival to its answer, by endpoint")
                .labelNames("endpoint")
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        double[] sizes = new double[maxBatch];
        for (int i = 0; i < maxBatch; i++) sizes[i] = i + 1;
        batchSize = Histogram.builder().name("bisenet_batch_size")
                .help("Images per network call (dynamic batching)")
                .classicOnly().classicUpperBounds(sizes).register(registry);
        GaugeWithCallback.builder().name("bisenet_queue_depth")
                .help("Requests waiting for the model (not yet in a batch)")
                .callback(cb -> cb.call(queueDepth.getAsInt())).register(registry);
    }

    void request(String endpoint, int status, double seconds) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
        latency.labelValues(endpoint).observe(seconds);
    }

    void batch(int size) {
        batchSize.observe(size);
    }

    String contentType() {
        return writer.getContentType();
    }

    /** The text exposition format of every metric. */
    byte[] scrape() {
        var out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
