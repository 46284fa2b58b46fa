package dev.bisenet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatcherTest {

    /** A job with a key; its future gets the size of the batch it ran in. */
    static final class J extends Batcher.Job {
        final Object key;
        final CompletableFuture<Integer> ran = new CompletableFuture<>();

        J(Object key) {
            this.key = key;
        }

        @Override
        Object batchKey() {
            return key;
        }

        @Override
        void fail(Throwable t) {
            ran.completeExceptionally(t);
        }
    }

    @Test
    void jobsOfOneKeyFormOneBatchUpToMaxBatch() throws Exception {
        List<List<Object>> batches = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        try (Batcher<J> b = new Batcher<>(4, 1_500, 100, batch -> {
            await(gate);
            batches.add(batch.stream().map(j -> j.key).toList());
            batch.forEach(j -> j.ran.complete(batch.size()));
        }, n -> { })) {
            List<J> jobs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                J j = new J(i % 2 == 0 ? "a" : "b");
                jobs.add(j);
                assertTrue(b.offer(j));
            }
            gate.countDown();
            for (J j : jobs) j.ran.get(10, TimeUnit.SECONDS);
            // 5 "a" and 5 "b": full batches of 4 leave as soon as they fill, the rest after the delay
            // (1.5 s here: the offers above take far less, so the first batch leaves full).
            int total = 0;
            for (List<Object> batch : batches) {
                assertTrue(batch.size() <= 4, "batch " + batch);
                assertEquals(1, batch.stream().distinct().count(), "one key per batch: " + batch);
                total += batch.size();
            }
            assertEquals(10, total);
            assertEquals(4, batches.get(0).size(), "the first batch waited to fill");
        }
    }

    @Test
    void aLoneJobLeavesAfterTheDelay() throws Exception {
        try (Batcher<J> b = new Batcher<>(8, 50, 10, batch -> batch.forEach(j -> j.ran.complete(batch.size())), n -> { })) {
            long t0 = System.nanoTime();
            J j = new J("x");
            b.offer(j);
            assertEquals(1, j.ran.get(10, TimeUnit.SECONDS));
            double ms = (System.nanoTime() - t0) / 1e6;
            assertTrue(ms >= 45, "waited " + ms + " ms for company");
        }
    }

    @Test
    void jobsWithoutKeyRunAloneAndTheQueueIsBounded() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Batcher<J> b = new Batcher<>(8, 0, 3, batch -> {
            await(gate);
            batch.forEach(j -> j.ran.complete(batch.size()));
        }, sizes::add);
        J first = new J(null);
        assertTrue(b.offer(first));
        // the first is taken by the thread (waiting at the gate); then 3 fit, the 4th does not
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.depth() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(b.offer(new J(null)));
        assertTrue(b.offer(new J(null)));
        assertTrue(b.offer(new J(null)));
        assertEquals(3, b.depth());
        assertFalse(b.offer(new J(null)), "a full queue refuses");
        gate.countDown();
        b.drainAndStop(10_000);
        assertEquals(List.of(1, 1, 1, 1), sizes, "keyless jobs run one at a time, all queued ones ran");
        assertFalse(b.offer(new J(null)), "a stopped batcher refuses");
    }

    @Test
    void aRunnerThatThrowsFailsItsJobsAndTheThreadGoesOn() throws Exception {
        try (Batcher<J> b = new Batcher<>(2, 0, 10, batch -> {
            if (batch.get(0).key.equals("bad")) throw new IllegalStateException("boom");
            batch.forEach(j -> j.ran.complete(batch.size()));
        }, n -> { })) {
            J bad = new J("bad");
            b.offer(bad);
            assertTrue(assertThrowsCause(bad.ran) instanceof IllegalStateException);
            J good = new J("good");
            b.offer(good);
            assertEquals(1, good.ran.get(10, TimeUnit.SECONDS));
        }
    }

    private static Throwable assertThrowsCause(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the job was never answered");
        }
        throw new AssertionError("the job succeeded");
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
