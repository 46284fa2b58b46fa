package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream standard input is read through, on a named pipe (a FIFO), which behaves like a
 * piped standard input: it cannot seek, and a read blocks until the writer sends data.
 */
class StandardInputTest {

    @TempDir
    Path tmp;

    private Path fifo;

    @BeforeEach
    void makeFifo() throws Exception {
        fifo = tmp.resolve("stdin.fifo");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (java.io.IOException e) {
            p = null;
        }
        assumeTrue(p != null && p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0,
                "mkfifo is not available; skipping the named-pipe tests");
    }

    @Test
    void readsAY4mStreamFromAPipe() throws Exception {
        // opening a FIFO blocks until the other end opens, so the writer runs alongside
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = new FileOutputStream(fifo.toFile())) {
                // frames larger than a pipe's 64 KiB, so every frame takes several reads
                out.write("YUV4MPEG2 W512 H256 F25:1 Cmono\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] planes = new byte[256 * 512];
                java.util.Arrays.fill(planes, (byte) 235);
                for (int i = 0; i < 20; i++) {
                    out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
                    out.write(planes);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (InputStream in = FrameSources.interruptible(
                new FileInputStream(fifo.toFile()).getChannel());
                Y4mSource source = new Y4mSource(in, "pipe", m -> { })) {
            int n = 0;
            for (Frame f; (f = source.next()) != null; n++) {
                assertEquals((byte) 255, f.rgb()[f.rgb().length - 1]);
            }
            assertEquals(20, n);
        }
        writer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anInterruptEndsAReadThatWaitsForData() throws Exception {
        try (OutputStream silentWriter = openWriterLater();
                InputStream in = FrameSources.interruptible(
                        new FileInputStream(fifo.toFile()).getChannel())) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    in.read();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            }, "fifo-reader");
            reader.start();
            Thread.sleep(200);
            assertTrue(reader.isAlive(), "the read waits for data");
            reader.interrupt();
            reader.join(5000);
            assertFalse(reader.isAlive(), "the interrupt ended the read");
            assertTrue(thrown.get() instanceof java.nio.channels.ClosedByInterruptException,
                    String.valueOf(thrown.get()));
        }
    }

    @Test
    void aWriterThatClosesGivesEndOfStream() throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = new FileOutputStream(fifo.toFile())) {
                out.write(new byte[] {1, 2, 3});
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (InputStream in = FrameSources.interruptible(
                new FileInputStream(fifo.toFile()).getChannel());
                RawRgbSource source = new RawRgbSource(in, "pipe", 1, 1, FrameRate.DEFAULT,
                        m -> { })) {
            assertEquals(1, source.next().rgb()[0]);
            assertNull(source.next());
        }
        writer.get(10, TimeUnit.SECONDS);
    }

    // Opens the FIFO's write end on another thread (it blocks until a reader opens).
    private OutputStream openWriterLater() {
        CompletableFuture<OutputStream> f = CompletableFuture.supplyAsync(() -> {
            try {
                return new FileOutputStream(fifo.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() throws java.io.IOException {
                try {
                    f.get(10, TimeUnit.SECONDS).close();
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
            }
        };
    }
}
