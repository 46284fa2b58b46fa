package dev.bisenet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** User mistakes: one line on stderr and exit code 2, as the CLI's other commands. */
class ServeCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String err) {
        String line() {
            return err.strip();
        }
    }

    static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = ServeMain.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(cl.execute(args), err.toString());
    }

    static void assertOneLine(Run r, String says) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.line().startsWith("error: "), r.err());
        assertTrue(r.line().contains(says), r.err());
        assertEquals(1, r.line().lines().count(), "one line: " + r.err());
    }

    @Test
    void withNoModelToServeItExits2WithOneLine() {
        // cityscapes ships no model, and no --checkpoint is given
        assertOneLine(run("--preset", "cityscapes", "--port", "0"), "no model to serve");
        assertOneLine(run("--checkpoint", dir.resolve("missing.pth").toString(), "--port", "0"), "missing.pth");
    }

    @Test
    void badFlagsExit2WithOneLine() throws Exception {
        assertOneLine(run("--preset", "camvid", "--max-batch", "0"), "--max-batch");
        assertOneLine(run("--preset", "camvid", "--queue", "-1"), "--queue");
        assertOneLine(run("--preset", "camvid", "--port", "70000"), "--port");
        assertEquals(2, run("--preset", "camvid", "--max-batch", "many").code());
        assertEquals(2, run("--preset", "camvid", "--no-such-flag").code());
        Path shortKey = Files.writeString(dir.resolve("k"), "secret\n");
        assertOneLine(run("--preset", "camvid", "--api-key-file", shortKey.toString()), "at least 16");
        assertOneLine(run("--preset", "camvid", "--api-key-file", dir.resolve("nokey").toString()), "cannot read the API key");
    }

    @Test
    void aPortInUseIsAUserMistake() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("--checkpoint", ServerKit.MODEL.toString(), "--host", "127.0.0.1",
                    "--port", Integer.toString(taken.getLocalPort()));
            assertOneLine(r, "another --port");
        }
    }
}
