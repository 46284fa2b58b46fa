package dev.bisenet.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnginesTest {

    @Test
    void logLevelsAreReadAsPyTorchReadsThem() {
        assertEquals(1, Engines.logLevel(null));
        assertEquals(1, Engines.logLevel("WARNING"));
        assertEquals(2, Engines.logLevel("error"));
        assertEquals(2, Engines.logLevel("2"));
        assertEquals(0, Engines.logLevel("INFO"));
        assertEquals(3, Engines.logLevel("FATAL"));
        assertEquals(1, Engines.logLevel("loud"));
    }

    /** The NNPACK warning on every forward is silenced through this flag (the launcher sets ERROR). */
    @Test
    void theEnvironmentsLevelReachesLibtorch() {
        Engines.configure(1);
        Engines.applyLogLevel();
        var level = Engines.currentLogLevel();
        assertTrue(level.isPresent(), "libc10.so is loaded and exports FLAGS_caffe2_log_level");
        assertEquals(Engines.logLevel(System.getenv("TORCH_CPP_LOG_LEVEL")), level.get());
    }
}
