package dev.bisenet.video;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Fake models, in-memory sources and sinks for pipeline tests, whose results are predictable. */
final class VideoTestKit {

    /** Eight colours far apart (the corners of the RGB cube), so k survives lossy video. */
    static final int[] PALETTE = {0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF,
        0x00FFFF, 0xFFFFFF};

    private VideoTestKit() {
    }

    /** The palette index nearest a mean colour. */
    static int nearestPaletteIndex(double r, double g, double b) {
        int best = -1;
        double bestD = Double.MAX_VALUE;
        for (int k = 0; k < PALETTE.length; k++) {
            int c = PALETTE[k];
            double dr = r - ((c >> 16) & 0xFF);
            double dg = g - ((c >> 8) & 0xFF);
            double db = b - (c & 0xFF);
            double d = dr * dr + dg * dg + db * db;
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    /** Mean R, G, B of a frame. */
    static double[] meanColour(Frame f) {
        double[] sum = new double[3];
        byte[] rgb = f.rgb();
        for (int p = 0; p < rgb.length; p++) {
            sum[p % 3] += rgb[p] & 0xFF;
        }
        int n = f.height() * f.width();
        return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
    }

    /** Names of the live threads that start with the pipeline's prefix. */
    static Set<String> livePipelineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(Pipeline.THREAD_PREFIX))
                .map(Thread::getName).collect(Collectors.toSet());
    }

    /**
     * Labels every pixel of frame i with i mod k, after an artificial delay, so order and
     * back-pressure can be checked; optionally throws on one frame.
     */
    static final class FakeModel implements FrameModel<Frame> {
        final int classes;
        final long delayMs;
        final long failAt;
        final List<Long> inferred = Collections.synchronizedList(new ArrayList<>());

        FakeModel(int classes, long delayMs) {
            this(classes, delayMs, -1);
        }

        FakeModel(int classes, long delayMs, long failAt) {
            this.classes = classes;
            this.delayMs = delayMs;
            this.failAt = failAt;
        }

        @Override
        public Frame prepare(Frame frame) {
            return frame;
        }

        @Override
        public int[] infer(Frame f) {
            if (f.index() == failAt) {
                throw new IllegalStateException("fake model failure on frame " + f.index());
            }
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            inferred.add(f.index());
            int[] labels = new int[f.height() * f.width()];
            java.util.Arrays.fill(labels, (int) (f.index() % classes));
            return labels;
        }
    }

    /**
     * Synthetic frames whose grey level encodes the index, at a given rate; optionally paced
     * like a live camera and counting how many were read.
     */
    static final class MemorySource implements FrameSource {
        final int count;
        final int height;
        final int width;
        final FrameRate rate;
        final long paceMs;
        final AtomicInteger read = new AtomicInteger();
        volatile boolean closed;
        private int next;

        MemorySource(int count, int height, int width, FrameRate rate, long paceMs) {
            this.count = count;
            this.height = height;
            this.width = width;
            this.rate = rate;
            this.paceMs = paceMs;
        }

        @Override
        public VideoInfo info() {
            return new VideoInfo(height, width, rate, count);
        }

        @Override
        public Frame next() throws IOException {
            if (closed || next >= count) {
                return null;
            }
            if (paceMs > 0) {
                try {
                    Thread.sleep(paceMs);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("interrupted");
                }
            }
            int i = next++;
            read.incrementAndGet();
            byte[] rgb = new byte[height * width * 3];
            java.util.Arrays.fill(rgb, (byte) i);
            return new Frame(i, height, width, rgb, i / rate.fps(), null);
        }

        @Override
        public long corruptFrames() {
            return 0;
        }

        @Override
        public String description() {
            return "memory";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Keeps the index and first label of each frame written. */
    static final class MemorySink implements FrameSink {
        final List<Long> indices = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> labels = Collections.synchronizedList(new ArrayList<>());
        volatile VideoInfo opened;
        volatile boolean closed;
        final long failAt;

        MemorySink() {
            this(-1);
        }

        MemorySink(long failAt) {
            this.failAt = failAt;
        }

        @Override
        public void open(VideoInfo output) {
            opened = output;
        }

        @Override
        public void write(SegmentedFrame s) throws IOException {
            if (s.frame().index() == failAt) {
                throw new IOException("fake disk full at frame " + failAt);
            }
            indices.add(s.frame().index());
            labels.add(s.labels()[0]);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
