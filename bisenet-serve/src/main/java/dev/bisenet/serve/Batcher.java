package dev.bisenet.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Dynamic batching on one thread: jobs with equal batch keys (images of one size) wait at most
 * {@code delay} for others to join them, up to {@code maxBatch}, and the batch goes to the
 * runner in one call. The queue is bounded: {@link #offer} refuses a job when {@code capacity}
 * jobs are already waiting, so memory never grows with the offered load.
 *
 * <p>One thread runs every batch: the model ({@code Segmenter}) is not thread-safe, and the
 * engine already spreads one call over all cores.
 */
final class Batcher<J extends Batcher.Job> implements AutoCloseable {

    /** A unit of work. */
    abstract static class Job {
        final long enqueuedNanos = System.nanoTime();

        /** Jobs with equal keys may run as one batch; a job that must run alone returns null. */
        abstract Object batchKey();

        /** Called when the runner threw: the job's caller must hear of it. */
        abstract void fail(Throwable t);
    }

    private final int maxBatch;
    private final long delayNanos;
    private final int capacity;
    private final Consumer<List<J>> runner;
    private final IntConsumer onBatch;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Waiting jobs by batch key, in order of each key's first arrival; FIFO within a key. */
    private final Map<Object, ArrayDeque<J>> waiting = new LinkedHashMap<>();
    private int size;
    private boolean closing;
    private final Thread thread;

    /**
     * @param runner runs one batch (all of one key) and completes each job; runs on the batcher's thread
     * @param onBatch told the size of each batch before it runs (for metrics)
     */
    Batcher(int maxBatch, long delayMillis, int capacity, Consumer<List<J>> runner, IntConsumer onBatch) {
        if (maxBatch < 1 || capacity < 1 || delayMillis < 0) {
            throw new IllegalArgumentException("maxBatch and capacity must be >= 1 and the delay >= 0");
        }
        this.maxBatch = maxBatch;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.capacity = capacity;
        this.runner = runner;
        this.onBatch = onBatch;
        this.thread = new Thread(this::loop, "bisenet-batcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a job; false when the queue is full or the batcher is closing (the caller answers 503). */
    boolean offer(J job) {
        lock.lock();
        try {
            if (closing || size >= capacity) {
                return false;
            }
            Object key = job.batchKey();
            waiting.computeIfAbsent(key != null ? key : new Object(), k -> new ArrayDeque<>()).addLast(job);
            size++;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Jobs waiting (not yet running). */
    int depth() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            List<J> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            onBatch.accept(batch.size());
            try {
                runner.accept(batch);
            } catch (Throwable t) { // the thread must survive anything a batch throws
                for (J j : batch) j.fail(t);
            }
        }
    }

    /** Waits for the oldest key's batch to fill or its first job's delay to pass; null once closed and empty. */
    private List<J> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (size == 0) {
                    if (closing) return null;
                    changed.await();
                    continue;
                }
                Map.Entry<Object, ArrayDeque<J>> oldest = oldest();
                J first = oldest.getValue().peekFirst();
                boolean alone = first.batchKey() == null;
                long wait = first.enqueuedNanos + delayNanos - System.nanoTime();
                if (alone || oldest.getValue().size() >= maxBatch || wait <= 0 || closing) {
                    return take(oldest, alone ? 1 : maxBatch);
                }
                changed.awaitNanos(wait); // a new job or the deadline; then look again
            }
        } finally {
            lock.unlock();
        }
    }

    private Map.Entry<Object, ArrayDeque<J>> oldest() {
        Map.Entry<Object, ArrayDeque<J>> best = null;
        for (Map.Entry<Object, ArrayDeque<J>> e : waiting.entrySet()) {
            if (best == null || e.getValue().peekFirst().enqueuedNanos < best.getValue().peekFirst().enqueuedNanos) {
                best = e;
            }
        }
        return best;
    }

    private List<J> take(Map.Entry<Object, ArrayDeque<J>> entry, int max) {
        ArrayDeque<J> q = entry.getValue();
        List<J> batch = new ArrayList<>(Math.min(max, q.size()));
        while (batch.size() < max && !q.isEmpty()) {
            batch.add(q.pollFirst());
        }
        size -= batch.size();
        if (q.isEmpty()) {
            waiting.remove(entry.getKey());
        }
        return batch;
    }

    /**
     * Refuses new jobs, runs those already queued, and waits up to {@code timeoutMillis} for the
     * thread to finish them.
     */
    void drainAndStop(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.join(timeoutMillis);
    }

    @Override
    public void close() {
        try {
            drainAndStop(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
