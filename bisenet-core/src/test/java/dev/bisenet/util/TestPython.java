package dev.bisenet.util;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a Python interpreter with a given module, for tests that cross-check against NumPy or
 * the ONNX checker: {@code $BISENET_PYTHON}, then {@code python3} on the PATH, then
 * {@code /usr/bin/python3} (where Debian's python3-onnx and python3-numpy live).
 */
public final class TestPython {

    private TestPython() {}

    public static Optional<String> withModule(String module) {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("BISENET_PYTHON");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String py : candidates) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import " + module).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(py);
                }
            } catch (IOException e) {
                // not installed: try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Runs {@code python -c script args...}; returns exit status and combined output. */
    public static Result run(String python, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }

    public record Result(int status, String output) {}
}
