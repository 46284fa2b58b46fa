package dev.bisenet.cli;

import dev.bisenet.torch.Engines;
import picocli.CommandLine.Option;

/** Options every command shares. */
public final class CommonOptions {

    @Option(names = "--threads", description = "Threads for the engine (default: all cores).")
    int threads;

    @Option(names = "--debug", description = "Print stack traces for errors too.")
    boolean debug;

    /** Applies the engine settings; call before anything touches DJL. */
    void configureEngine() {
        Engines.configure(threads);
    }

    int threads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
