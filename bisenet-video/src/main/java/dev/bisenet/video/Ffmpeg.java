package dev.bisenet.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bisenet.util.UserException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs the {@code ffmpeg} and {@code ffprobe} programs: locating them on the PATH,
 * listing encoders, probing a video's size and rate, and starting child processes whose error
 * output is kept for messages.
 */
public final class Ffmpeg {

    /** Told to the user whenever a program is missing. */
    static final String INSTALL_HINT = "install it with 'apt-get install ffmpeg' (Debian/Ubuntu),"
            + " 'brew install ffmpeg' (macOS) or from https://ffmpeg.org, or give a folder of"
            + " PNG/JPEG frames instead";

    private static final Map<String, Boolean> ENCODERS = new ConcurrentHashMap<>();

    private Ffmpeg() {
    }

    /** Whether {@code ffmpeg} is on the PATH. */
    public static boolean available() {
        return find("ffmpeg", System.getenv("PATH")) != null
                && find("ffprobe", System.getenv("PATH")) != null;
    }

    /**
     * The path of a program on the PATH.
     *
     * @param why what needs it, for the message
     * @throws UserException saying how to install ffmpeg when the program is missing
     */
    static Path require(String program, String why) {
        return require(program, why, System.getenv("PATH"));
    }

    static Path require(String program, String why, String pathVariable) {
        Path p = find(program, pathVariable);
        if (p == null) {
            throw new UserException(why + " needs the '" + program + "' program, which is not on"
                    + " the PATH: " + INSTALL_HINT);
        }
        return p;
    }

    /** The first executable named {@code program} in the directories of {@code pathVariable}. */
    static Path find(String program, String pathVariable) {
        if (pathVariable == null) {
            return null;
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Whether this ffmpeg build has the named encoder, such as {@code libx264}; cached. */
    public static boolean hasEncoder(String name) {
        return ENCODERS.computeIfAbsent(name, n -> {
            Path ffmpeg = require("ffmpeg", "video output");
            try {
                String list = runForOutput(List.of(ffmpeg.toString(), "-hide_banner", "-v",
                        "error", "-encoders"), "listing ffmpeg's encoders");
                for (String line : list.split("\n")) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length >= 2 && cols[1].equals(n)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new UserException("could not list ffmpeg's encoders: " + e.getMessage(), e);
            }
        });
    }

    /**
     * Reads the size, rate and frame count of the first video stream of a file with
     * {@code ffprobe}. A rotation flag of 90 or 270 degrees swaps height and width, because
     * ffmpeg turns such frames upright when decoding.
     *
     * @throws UserException when the file is missing or holds no video stream ffprobe reads
     */
    public static VideoInfo probe(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserException("video file not found: " + file);
        }
        Path ffprobe = require("ffprobe", "reading video file " + file);
        String json;
        try {
            json = runForOutput(List.of(ffprobe.toString(), "-v", "error", "-select_streams",
                    "v:0", "-show_entries", "stream=width,height,r_frame_rate,avg_frame_rate,"
                    + "nb_frames:stream_side_data=rotation", "-of", "json", file.toString()),
                    "ffprobe " + file);
        } catch (IOException e) {
            throw new UserException("cannot read video file " + file + ": " + e.getMessage(), e);
        }
        return parseProbe(json, file.toString());
    }

    /** Turns ffprobe's JSON into a {@link VideoInfo}; separate from {@link #probe} for tests. */
    static VideoInfo parseProbe(String json, String what) {
        JsonNode streams;
        try {
            streams = new ObjectMapper().readTree(json).path("streams");
        } catch (IOException e) {
            throw new UserException("ffprobe gave unreadable output for " + what + ": "
                    + e.getMessage(), e);
        }
        if (!streams.isArray() || streams.isEmpty()) {
            throw new UserException(what + " has no video stream");
        }
        JsonNode s = streams.get(0);
        long width = s.path("width").asLong(0);
        long height = s.path("height").asLong(0);
        try {
            Frame.checkSize(height, width, what);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        for (JsonNode side : s.path("side_data_list")) {
            long rotation = Math.abs(side.path("rotation").asLong(0)) % 180;
            if (rotation == 90) {
                long t = width;
                width = height;
                height = t;
            }
        }
        FrameRate rate = rateOf(s.path("r_frame_rate").asText(""));
        if (rate == null || rate.fps() > 240) {
            // r_frame_rate is the time base guess; a huge value (90000/1) means variable
            // rate, for which the average is the better output rate
            FrameRate avg = rateOf(s.path("avg_frame_rate").asText(""));
            rate = avg != null ? avg : rate != null ? rate : FrameRate.DEFAULT;
        }
        long count = s.path("nb_frames").asLong(-1);
        return new VideoInfo((int) height, (int) width, rate, count > 0 ? count : -1);
    }

    private static FrameRate rateOf(String text) {
        try {
            return FrameRate.parse(text);
        } catch (IllegalArgumentException e) {
            return null; // "0/0" or missing
        }
    }

    /** Runs a short command and returns its standard output; fails with its error output. */
    private static String runForOutput(List<String> command, String what) throws IOException {
        Child child = Child.start(command, what);
        child.process().getOutputStream().close();
        byte[] out;
        try (InputStream in = child.process().getInputStream()) {
            out = in.readAllBytes();
        }
        child.finish(60);
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * A running ffmpeg or ffprobe process. Its error output goes to a temporary file rather
     * than a pipe: an undrained pipe would block the child, and a file needs no extra thread.
     */
    static final class Child {
        private final Process process;
        private final Path stderr;
        private final String what;

        private Child(Process process, Path stderr, String what) {
            this.process = process;
            this.stderr = stderr;
            this.what = what;
        }

        static Child start(List<String> command, String what) throws IOException {
            Path err = Files.createTempFile("bisenet-ffmpeg-", ".log");
            try {
                List<String> cmd = new ArrayList<>();
                // In a session of its own, ffmpeg does not get the terminal's Ctrl-C, which
                // would make it stop mid-stream with an error; the JVM gets it, and the
                // pipeline's shutdown hook ends ffmpeg's input in order. setsid is in every
                // Linux (util-linux); elsewhere ffmpeg runs as is.
                Path setsid = find("setsid", System.getenv("PATH"));
                if (setsid != null) {
                    cmd.addAll(List.of(setsid.toString(), "--wait"));
                }
                cmd.addAll(command);
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.redirectError(err.toFile());
                return new Child(pb.start(), err, what);
            } catch (IOException e) {
                Files.deleteIfExists(err);
                throw new IOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
            }
        }

        Process process() {
            return process;
        }

        /** The last lines ffmpeg wrote to its error output, at most 2,000 characters. */
        String errorTail() {
            try {
                String s = Files.readString(stderr, StandardCharsets.UTF_8).strip();
                return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
            } catch (IOException e) {
                return "";
            }
        }

        /**
         * Waits for the process to exit and deletes the error log.
         *
         * @param timeoutSeconds after this the process is killed
         * @throws IOException with ffmpeg's error output when it exits with non-zero status
         */
        void finish(long timeoutSeconds) throws IOException {
            try {
                boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                if (!exited) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new IOException(what + ": ffmpeg did not finish within "
                            + timeoutSeconds + " s and was stopped");
                }
                if (process.exitValue() != 0) {
                    String tail = errorTail();
                    throw new IOException(what + ": ffmpeg exited with status "
                            + process.exitValue() + (tail.isEmpty() ? "" : ": " + tail));
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(what + ": interrupted while waiting for ffmpeg", e);
            } finally {
                if (!process.isAlive()) {
                    Files.deleteIfExists(stderr);
                }
            }
        }

        /** Kills the process at once and deletes its log; for stopping a decoder. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                // a leftover log in the temp folder is harmless
            }
        }
    }
}
