package dev.bisenet.train;

import dev.bisenet.data.SegDataset;
import dev.bisenet.train.Batches;
import dev.bisenet.util.UserException;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Training batches, loaded and augmented on background threads a few iterations ahead.
 *
 * <p>Batch i is a pure function of (seed, i): sample order is a per-epoch shuffle derived from
 * the seed and the epoch, and each sample's augmentation draws from a generator derived from
 * (seed, iteration, slot). A run resumed at iteration k therefore sees exactly the batches an
 * uninterrupted run would have.
 */
public final class BatchLoader implements Batches {

    private final SegDataset data;
    private final int batch;
    private final long seed;
    private final JointTransform transform;
    private final JointTransform.Params params;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
    private final int prefetch;
    private int nextToSubmit;
    private long waitNanos;
    private int[] perm;
    private long permEpoch = -1;

    public BatchLoader(SegDataset data, int batch, JointTransform.Params params, long seed, int startIteration,
            int workers, int prefetch) {
        this.data = data;
        this.batch = batch;
        this.seed = seed;
        this.params = params;
        this.transform = new JointTransform(params);
        this.prefetch = Math.max(1, prefetch);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "bisenet-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.nextToSubmit = startIteration;
        for (int i = 0; i < this.prefetch; i++) {
            submit();
        }
    }

    private void submit() {
        int it = nextToSubmit++;
        int[] indices = new int[batch];
        for (int s = 0; s < batch; s++) {
            indices[s] = sampleAt((long) it * batch + s);
        }
        ahead.add(pool.submit(() -> build(it, indices)));
    }

    /** The dataset index at position {@code pos} of the endless sequence of shuffled epochs. */
    int sampleAt(long pos) {
        long epoch = pos / data.size();
        if (epoch != permEpoch) {
            perm = permutation(data.size(), mix(seed, epoch, -1));
            permEpoch = epoch;
        }
        return perm[(int) (pos % data.size())];
    }

    private Batch build(int it, int[] indices) {
        int h = params.cropHeight(), w = params.cropWidth();
        float[] images = new float[batch * 3 * h * w];
        byte[] labels = new byte[batch * h * w];
        for (int s = 0; s < batch; s++) {
            SegDataset.Item item = data.load(indices[s]);
            SplittableRandom rng = new SplittableRandom(mix(seed, it, s));
            transform.apply(item.image().height(), item.image().width(), item.image().pixels(), item.labels(), rng,
                    images, labels, s);
        }
        return new Batch(it, batch, h, w, images, labels);
    }

    @Override
    public Batch next() throws InterruptedException {
        Future<Batch> f = ahead.poll();
        submit();
        long t0 = System.nanoTime();
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UserException u) {
                throw u;
            }
            throw new IllegalStateException("data loading failed: " + e.getCause(), e.getCause());
        } finally {
            waitNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public long waitNanos() {
        return waitNanos;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Fisher-Yates shuffle of 0..n-1 from {@code seed}. */
    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Mixes three numbers into one seed (SplitMix64 finaliser on a combination). */
    static long mix(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
