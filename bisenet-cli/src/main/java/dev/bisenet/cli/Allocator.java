package dev.bisenet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which malloc this process runs on, for the settings lines of {@code bench} and {@code train}:
 * the launcher preloads jemalloc where it is installed, and timings differ by allocator (see
 * docs/benchmarks.md, "The malloc settings"), so a figure should say which one produced it.
 */
final class Allocator {

    private Allocator() {
    }

    /** This process: its mapped libraries and environment. */
    static String describe() {
        String maps;
        try {
            maps = Files.readString(Path.of("/proc/self/maps"));
        } catch (IOException | RuntimeException e) {
            maps = null;                                      // not Linux: say what the environment says
        }
        return describe(maps, System.getenv());
    }

    /**
     * @param maps the text of /proc/self/maps, or null where there is none
     * @param env  the process environment
     */
    static String describe(String maps, Map<String, String> env) {
        if (maps != null && maps.contains("libjemalloc")) {
            return "jemalloc (MALLOC_CONF=" + env.getOrDefault("MALLOC_CONF", "unset") + ")";
        }
        if (maps != null && maps.contains("libtcmalloc")) {
            return "tcmalloc";
        }
        String glibc = "glibc (MALLOC_ARENA_MAX=" + env.getOrDefault("MALLOC_ARENA_MAX", "unset") + ")";
        return maps == null ? glibc + ", unless preloaded: no /proc/self/maps to check" : glibc;
    }

    /**
     * For {@code train}'s settings: a line saying what to install when training runs on glibc
     * without having asked for it (not with {@code BISENET_MALLOC=glibc}, nor with another
     * preload), or null. A fresh machine without the package trains markedly slower (docs/benchmarks.md,
     * "The malloc settings").
     */
    static String trainingHint(String description, Map<String, String> env) {
        if (!description.startsWith("glibc") || "glibc".equals(env.get("BISENET_MALLOC")) || env.containsKey("LD_PRELOAD")) {
            return null;
        }
        return "  (not on jemalloc: training ran up to 16% slower on glibc on this project's 2-core machine; the launcher"
                + " preloads jemalloc where Debian's libjemalloc2 is installed: apt-get install libjemalloc2)";
    }
}
