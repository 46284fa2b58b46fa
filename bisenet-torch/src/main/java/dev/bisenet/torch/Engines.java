package dev.bisenet.torch;

/**
 * Settings the PyTorch engine reads once, when it loads: call {@link #configure} before the
 * first DJL call. Values already set (on the command line or by the application) win.
 */
public final class Engines {

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

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
