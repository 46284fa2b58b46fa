package dev.bisenet.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress: a progress bar (iteration, loss, lr, img/s, ETA) on a terminal, plain log
 * lines otherwise.
 */
public interface Progress extends AutoCloseable {

    void step(int done, double loss, double lr);

    /** A logged window of iterations (see the metrics file for the fields). */
    void log(Map<String, Object> record);

    void note(String line);

    @Override
    void close();

    /** A bar when a terminal is attached, log lines when not. */
    static Progress create(int start, int total, int batch, PrintStream out) {
        return System.console() != null ? new Bar(start, total, batch) : new Lines(out);
    }

    /** Log lines for files and pipes. */
    final class Lines implements Progress {
        private final PrintStream out;

        public Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void step(int done, double loss, double lr) {}

        @Override
        public void log(Map<String, Object> r) {
            out.printf(Locale.ROOT, "iter %d  loss %.4f (main %.4f)  lr %.3g  %.2f img/s  data wait %.0f%%  rss %.0f MB (java heap %.0f)%n",
                    r.get("iter"), r.get("loss"), r.get("loss_main"), r.get("lr"), r.get("img_per_s"),
                    100 * ((Number) r.get("data_wait_share")).doubleValue(), r.get("rss_mb"), r.get("heap_committed_mb"));
        }

        @Override
        public void note(String line) {
            out.println(line);
        }

        @Override
        public void close() {}
    }

    /** An interactive bar; the ETA counts from the iteration the run started at. */
    final class Bar implements Progress {
        private final ProgressBar bar;
        private final int batch;
        private final long t0 = System.nanoTime();
        private final int start;

        Bar(int start, int total, int batch) {
            this.batch = batch;
            this.start = start;
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .startsFrom(start, java.time.Duration.ZERO).setUpdateIntervalMillis(500).build();
        }

        @Override
        public void step(int done, double loss, double lr) {
            double secs = (System.nanoTime() - t0) / 1e9;
            bar.stepTo(done);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f lr %.2e %.2f img/s", loss, lr,
                    (done - start) * batch / Math.max(secs, 1e-9)));
        }

        @Override
        public void log(Map<String, Object> record) {}

        @Override
        public void note(String line) {
            System.err.println();
            System.err.println(line);
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
