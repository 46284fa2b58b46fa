package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading ffprobe's answers, and what the user is told when ffmpeg is missing; no ffmpeg needed. */
class FfmpegProbeTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingProgramSaysHowToInstallIt() {
        assertNull(Ffmpeg.find("ffmpeg", "/nonexistent/bin:/also/missing"));
        assertNull(Ffmpeg.find("ffmpeg", null));
        UserException e = assertThrows(UserException.class,
                () -> Ffmpeg.require("ffmpeg", "reading video file clip.mp4", "/nonexistent"));
        assertTrue(e.getMessage().contains("reading video file clip.mp4"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install ffmpeg"), e.getMessage());
        assertTrue(e.getMessage().contains("folder of PNG/JPEG frames"), e.getMessage());
    }

    @Test
    void withoutFfmpegAVideoInputSaysSoButFoldersStillWork() throws IOException {
        assumeFalse(Ffmpeg.available(), "ffmpeg is installed; this checks the message given"
                + " without it (run with a PATH that lacks ffmpeg)");
        Path video = Files.writeString(tmp.resolve("clip.mp4"), "x");
        UserException e = assertThrows(UserException.class,
                () -> FrameSources.open(video.toString(), null, null, m -> { }));
        assertTrue(e.getMessage().contains("apt-get install ffmpeg"), e.getMessage());
        Path frames = Files.createDirectory(tmp.resolve("frames"));
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 2,
                java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "png",
                frames.resolve("a.png").toFile());
        try (FrameSource s = FrameSources.open(frames.toString(), null, null, m -> { })) {
            assertEquals(2, s.next().height());
        }
    }

    @Test
    void findsAnExecutableOnThePath() throws IOException {
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("ffmpeg"), "#!/bin/sh\n");
        assertNull(Ffmpeg.find("ffmpeg", bin.toString()), "not executable yet");
        assertTrue(fake.toFile().setExecutable(true));
        assertEquals(fake, Ffmpeg.find("ffmpeg", "/nonexistent:" + bin));
    }

    @Test
    void readsSizeRateAndCount() {
        VideoInfo v = Ffmpeg.parseProbe("{\"streams\":[{\"width\":1280,\"height\":720,"
                + "\"r_frame_rate\":\"30000/1001\",\"avg_frame_rate\":\"30000/1001\","
                + "\"nb_frames\":\"312\"}]}", "clip.mp4");
        assertEquals(new VideoInfo(720, 1280, new FrameRate(30000, 1001), 312), v);
    }

    @Test
    void rotationSwapsTheSidesAndOddRatesFallBack() {
        VideoInfo rotated = Ffmpeg.parseProbe("{\"streams\":[{\"width\":1920,\"height\":1080,"
                + "\"r_frame_rate\":\"90000/1\",\"avg_frame_rate\":\"2997/100\","
                + "\"nb_frames\":\"N/A\",\"side_data_list\":[{\"rotation\":-90}]}]}", "phone.mp4");
        assertEquals(new VideoInfo(1920, 1080, new FrameRate(2997, 100), -1), rotated);
        VideoInfo noRate = Ffmpeg.parseProbe("{\"streams\":[{\"width\":64,\"height\":32,"
                + "\"r_frame_rate\":\"0/0\",\"avg_frame_rate\":\"0/0\"}]}", "x.mkv");
        assertEquals(FrameRate.DEFAULT, noRate.rate());
        VideoInfo upsideDown = Ffmpeg.parseProbe("{\"streams\":[{\"width\":64,\"height\":32,"
                + "\"r_frame_rate\":\"25/1\",\"side_data_list\":[{\"rotation\":180}]}]}", "x");
        assertEquals(32, upsideDown.height());
    }

    @Test
    void refusesStreamlessOrHugeVideos() {
        UserException none = assertThrows(UserException.class,
                () -> Ffmpeg.parseProbe("{\"programs\":[],\"streams\":[]}", "song.mp3"));
        assertEquals("song.mp3 has no video stream", none.getMessage());
        UserException huge = assertThrows(UserException.class,
                () -> Ffmpeg.parseProbe("{\"streams\":[{\"width\":100000,\"height\":10}]}",
                        "huge.mp4"));
        assertTrue(huge.getMessage().contains("huge.mp4"), huge.getMessage());
        assertThrows(UserException.class, () -> Ffmpeg.parseProbe("not json", "x"));
    }

    @Test
    void frameRatesParse() {
        assertEquals(new FrameRate(30000, 1001), FrameRate.parse("30000:1001"));
        assertEquals(new FrameRate(25, 1), FrameRate.parse("25"));
        assertEquals(new FrameRate(29970, 1000), FrameRate.parse("29.97"));
        assertEquals(10.0, FrameRate.parse("30/1").divide(3).fps(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> FrameRate.parse("0/0"));
        assertThrows(IllegalArgumentException.class, () -> FrameRate.parse("fast"));
    }

    @Test
    void inputsAreResolvedWithClearErrors() throws IOException {
        UserException missing = assertThrows(UserException.class,
                () -> FrameSources.open(tmp.resolve("nope.mp4").toString(), null, null, m -> { }));
        assertTrue(missing.getMessage().contains("nope.mp4"), missing.getMessage());
        assertThrows(UserException.class,
                () -> FrameSources.open(tmp.toString(), new int[] {2, 2}, null, m -> { }));
        assertArrayEquals(new int[] {512, 1024}, FrameSources.parseSize("512x1024"));
        assertThrows(UserException.class, () -> FrameSources.parseSize("512"));
        assertThrows(UserException.class, () -> FrameSources.parseSize("0x5"));
        assertThrows(UserException.class, () -> FrameSources.parseSize("99999x2"));
    }
}
