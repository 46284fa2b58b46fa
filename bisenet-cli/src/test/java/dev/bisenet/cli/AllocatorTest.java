package dev.bisenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AllocatorTest {

    private static final String LIBC = "7f1c2a000000-7f1c2a028000 r--p 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n";

    @Test
    void preloadedJemallocIsNamedWithItsConfiguration() {
        String maps = "7f1c29e00000-7f1c29e0e000 r--p 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n" + LIBC;
        assertEquals("jemalloc (MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1)",
                Allocator.describe(maps, Map.of("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1", "MALLOC_ARENA_MAX", "1")));
    }

    @Test
    void withoutAPreloadItIsGlibcWithItsArenaLimit() {
        assertEquals("glibc (MALLOC_ARENA_MAX=1)", Allocator.describe(LIBC, Map.of("MALLOC_ARENA_MAX", "1")));
        assertEquals("glibc (MALLOC_ARENA_MAX=unset)", Allocator.describe(LIBC, Map.of()));
        assertEquals("tcmalloc", Allocator.describe("... /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4\n" + LIBC, Map.of()));
    }

    @Test
    void withoutProcMapsItSaysItCouldNotCheck() {
        assertTrue(Allocator.describe(null, Map.of()).contains("no /proc/self/maps"));
    }

    @Test
    void thisProcessIsDescribed() {
        // the test JVM is started by Surefire, not the launcher: whatever it runs on, it is named
        String d = Allocator.describe();
        assertTrue(d.startsWith("glibc") || d.startsWith("jemalloc") || d.startsWith("tcmalloc"), d);
    }

    @Test
    void trainingOnGlibcByDefaultSaysWhatToInstall() {
        String glibc = Allocator.describe(LIBC, Map.of("MALLOC_ARENA_MAX", "1"));
        String hint = Allocator.trainingHint(glibc, Map.of("MALLOC_ARENA_MAX", "1"));
        assertTrue(hint != null && hint.contains("apt-get install libjemalloc2"), String.valueOf(hint));
        assertNull(Allocator.trainingHint(glibc, Map.of("BISENET_MALLOC", "glibc")), "glibc asked for: no hint");
        assertNull(Allocator.trainingHint(glibc, Map.of("LD_PRELOAD", "/opt/mymalloc.so")), "another preload chosen: no hint");
        assertNull(Allocator.trainingHint("jemalloc (MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1)", Map.of()));
    }
}
