package dev.bisenet.video;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ffmpeg and ffprobe from tests, to make inputs and to check outputs independently. */
final class FfmpegTestUtil {

    private FfmpegTestUtil() {
    }

    /** Runs {@code ffmpeg -v error -nostdin ARGS} and returns its standard output. */
    static byte[] run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    static String probe(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        cmd.addAll(List.of(args));
        return new String(exec(cmd)).trim();
    }

    /** Frames ffprobe counts by decoding the whole video. */
    static long countFrames(Path video) throws IOException, InterruptedException {
        return Long.parseLong(probe("-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_frames", "-of", "csv=p=0", video.toString()));
    }

    static String rate(Path video) throws IOException, InterruptedException {
        return probe("-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", "-of",
                "csv=p=0", video.toString());
    }

    /** Makes a test video from ffmpeg's test pattern. */
    static Path testVideo(Path dir, String name, int height, int width, int rate, int frames,
            String... codec) throws IOException, InterruptedException {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc=size="
                + width + "x" + height + ":rate=" + rate, "-frames:v", String.valueOf(frames)));
        args.addAll(List.of(codec));
        args.add(out.toString());
        run(args.toArray(String[]::new));
        return out;
    }

    private static byte[] exec(List<String> cmd) throws IOException, InterruptedException {
        Path err = Files.createTempFile("ffmpeg-test-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " failed: "
                        + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
