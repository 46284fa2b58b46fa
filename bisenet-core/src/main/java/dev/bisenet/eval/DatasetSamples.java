package dev.bisenet.eval;

import dev.bisenet.data.SegDataset;
import dev.bisenet.image.Preprocess;
import dev.bisenet.image.Rgb;
import dev.bisenet.util.UserException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A dataset split as evaluation samples (normalised CHW images at their own size, labels as
 * class indices), decoded on a background thread a couple of images ahead so that the network
 * does not wait for PNG decoding.
 */
public final class DatasetSamples implements Iterator<Evaluator.Sample>, AutoCloseable {

    private final SegDataset data;
    private final Preprocess preprocess;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Evaluator.Sample>> ahead = new ArrayDeque<>();
    private int next;
    private final int limit;

    public DatasetSamples(SegDataset data, float[] mean, float[] std) {
        this(data, mean, std, data.size());
    }

    /** The first {@code limit} samples only. */
    public DatasetSamples(SegDataset data, float[] mean, float[] std, int limit) {
        this.data = data;
        this.preprocess = new Preprocess(mean, std);
        this.limit = Math.min(limit, data.size());
        this.pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bisenet-eval-load");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < 2; i++) submit();
    }

    private void submit() {
        if (next < limit) {
            int i = next++;
            ahead.add(pool.submit(() -> load(i)));
        }
    }

    private Evaluator.Sample load(int i) {
        SegDataset.Item item = data.load(i);
        Rgb img = item.image();
        int h = img.height(), w = img.width();
        float[] chw = new float[3 * h * w];
        preprocess.into(img.pixels(), h, w, chw, 0, h, w); // evaluation runs unpadded: the protocols pad
        int[] labels = new int[h * w];
        byte[] lb = item.labels();
        for (int k = 0; k < labels.length; k++) labels[k] = lb[k] & 0xff;
        return Evaluator.Sample.of(item.name(), chw, h, w, labels);
    }

    @Override
    public boolean hasNext() {
        return !ahead.isEmpty();
    }

    @Override
    public Evaluator.Sample next() {
        Future<Evaluator.Sample> f = ahead.poll();
        if (f == null) throw new NoSuchElementException();
        submit();
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UserException u) throw u;
            throw new IllegalStateException("loading an evaluation image failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public int size() {
        return limit;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
