package dev.bisenet.torch;

import ai.djl.engine.Engine;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings the PyTorch engine reads once, when it loads: call {@link #configure} before the
 * first DJL call. Values already set (on the command line or by the application) win.
 */
public final class Engines {

    private static volatile boolean logLevelSet;

    private Engines() {}

    /**
     * Runs DJL offline (the native library comes from the classpath, nothing is downloaded),
     * with intra-op threads = {@code threads} (cores when 0) and one inter-op thread.
     */
    public static void configure(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(n));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    /**
     * Loads the PyTorch engine and applies {@code TORCH_CPP_LOG_LEVEL} (default WARNING; the
     * launcher sets ERROR) to libtorch's own log. libtorch reads that variable only when Python
     * initialises it, so from Java its warnings always printed: 2.7.1 writes "Could not
     * initialize NNPACK! Reason: Unsupported hardware." on every forward on CPUs without NNPACK
     * support (this project's AVX-512 VMs), burying eval and bench output. The level is libc10's
     * exported {@code FLAGS_caffe2_log_level} (0 INFO, 1 WARNING, 2 ERROR, 3 FATAL), set through
     * JNA, which DJL already ships; if the symbol is missing (another libtorch) nothing changes.
     */
    public static void applyLogLevel() {
        if (logLevelSet) {
            return;
        }
        synchronized (Engines.class) {
            if (logLevelSet) {
                return;
            }
            logLevelSet = true;
            Engine.getEngine("PyTorch"); // loads libc10 and libtorch
            int level = logLevel(System.getenv("TORCH_CPP_LOG_LEVEL"));
            loadedLibrary("libc10.so").ifPresent(lib -> {
                try {
                    NativeLibrary.getInstance(lib.toString()).getGlobalVariableAddress("FLAGS_caffe2_log_level").setInt(0, level);
                } catch (UnsatisfiedLinkError e) {
                    // a libtorch without the flag: its warnings print as before
                }
            });
        }
    }

    /** libtorch's level for a {@code TORCH_CPP_LOG_LEVEL} value (as PyTorch reads it); WARNING when unset or unknown. */
    static int logLevel(String value) {
        return switch (value == null ? "" : value.trim().toUpperCase(Locale.ROOT)) {
            case "0", "INFO" -> 0;
            case "2", "ERROR" -> 2;
            case "3", "FATAL" -> 3;
            default -> 1;
        };
    }

    /** libtorch's current log level, or empty when its flag cannot be found. */
    static Optional<Integer> currentLogLevel() {
        return loadedLibrary("libc10.so").map(lib ->
                NativeLibrary.getInstance(lib.toString()).getGlobalVariableAddress("FLAGS_caffe2_log_level").getInt(0));
    }

    /** The file of a shared library this process has loaded, from /proc/self/maps (Linux). */
    static Optional<Path> loadedLibrary(String fileName) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash > 0 && line.endsWith("/" + fileName)) {
                    return Optional.of(Path.of(line.substring(slash)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no procfs
        }
        return Optional.empty();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
