package dev.bisenet.checkpoint;

import dev.bisenet.util.FuzzFiles;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz targets for the checkpoint reader: any bytes either load or are refused with a
 * {@link UserException}; another exception, an OutOfMemoryError (fuzz/run.sh gives a small heap)
 * or a hang is a finding. {@code mvn test} replays the inputs under
 * {@code src/test/resources/dev/bisenet/checkpoint/PthReaderFuzzTestInputs/<method>/}; fuzz/run.sh
 * fuzzes.
 */
class PthReaderFuzzTest {

    private static final Path FILE = FuzzFiles.scratch("fuzz.pth");

    /** The whole file: ZIP container, entry sizes, pickle, storages. Seeds: checkpoints torch and PthWriter wrote. */
    @FuzzTest(maxDuration = "10m")
    void pth(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            PthReader.readStateDict(FILE);
        } catch (UserException expected) {
            // a refused file is a correct answer
        }
    }

    /** The unpickler alone, on data.pkl bytes: reaches its opcodes without the ZIP layer in the way. */
    @FuzzTest(maxDuration = "10m")
    void pickle(byte[] data) {
        try {
            Unpickler.load(data, "fuzz.pkl");
        } catch (UserException expected) {
            // a refused pickle is a correct answer
        }
    }
}
