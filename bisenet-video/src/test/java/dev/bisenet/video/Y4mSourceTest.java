package dev.bisenet.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bisenet.util.UserException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** YUV4MPEG2 parsing, colour conversion, corruption handling and header checks. */
class Y4mSourceTest {

    private final List<String> warnings = new ArrayList<>();

    private Y4mSource open(byte[] stream) throws IOException {
        return new Y4mSource(new ByteArrayInputStream(stream), "test stream", warnings::add);
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** A 4:2:0 frame of 2x4 (height x width) with one Y, Cb, Cr everywhere. */
    private static void flat420(ByteArrayOutputStream out, int y, int u, int v) {
        byte[] planes = new byte[8 + 2 + 2];
        Arrays.fill(planes, 0, 8, (byte) y);
        Arrays.fill(planes, 8, 10, (byte) u);
        Arrays.fill(planes, 10, 12, (byte) v);
        out.writeBytes(planes);
    }

    private static int[] pixel(Frame f, int i) {
        byte[] b = f.rgb();
        return new int[] {b[3 * i] & 0xFF, b[3 * i + 1] & 0xFF, b[3 * i + 2] & 0xFF};
    }

    /** Textbook BT.601 limited range, in doubles, to check the integer version against. */
    private static int[] bt601(int y, int u, int v) {
        double yy = 1.164383 * (y - 16);
        double r = yy + 1.596027 * (v - 128);
        double g = yy - 0.391762 * (u - 128) - 0.812968 * (v - 128);
        double b = yy + 2.017232 * (u - 128);
        return new int[] {clamp(r), clamp(g), clamp(b)};
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    @Test
    void parsesFramesAndConvertsLimitedRangeBt601() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        ascii(s, "YUV4MPEG2 W4 H2 F30000:1001 Ip A1:1 C420jpeg XYSCSS=420JPEG\n");
        int[][] yuv = {{81, 90, 240}, {145, 54, 34}, {41, 240, 110}, {128, 128, 128},
            {235, 128, 128}, {16, 128, 128}};
        for (int[] c : yuv) {
            ascii(s, "FRAME\n");
            flat420(s, c[0], c[1], c[2]);
        }
        try (Y4mSource src = open(s.toByteArray())) {
            assertEquals(2, src.info().height());
            assertEquals(4, src.info().width());
            assertEquals(new FrameRate(30000, 1001), src.info().rate());
            for (int k = 0; k < yuv.length; k++) {
                Frame f = src.next();
                assertEquals(k, f.index());
                assertEquals(k * 1001 / 30000.0, f.timeSeconds(), 1e-12);
                int[] want = bt601(yuv[k][0], yuv[k][1], yuv[k][2]);
                for (int i = 0; i < 8; i++) {
                    int[] got = pixel(f, i);
                    for (int c = 0; c < 3; c++) {
                        assertTrue(Math.abs(got[c] - want[c]) <= 1, "frame " + k + " pixel " + i
                                + ": " + Arrays.toString(got) + " vs " + Arrays.toString(want));
                    }
                }
            }
            assertNull(src.next());
            assertEquals(0, src.corruptFrames());
        }
        // the exact values of the standard colour bars' red, and of black and white
        try (Y4mSource src = open(s.toByteArray())) {
            assertArrayEquals(new int[] {255, 0, 0}, pixel(src.next(), 0));
            src.next();
            src.next();
            src.next();
            assertArrayEquals(new int[] {255, 255, 255}, pixel(src.next(), 5));
            assertArrayEquals(new int[] {0, 0, 0}, pixel(src.next(), 5));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void chromaOf420CoversTwoByTwoBlocks() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        ascii(s, "YUV4MPEG2 W4 H2 F25:1 C420mpeg2\nFRAME\n");
        byte[] planes = new byte[12];
        Arrays.fill(planes, 0, 8, (byte) 81);
        planes[8] = (byte) 90; // block (0,0): red
        planes[9] = (byte) 128; // block (0,1): grey
        planes[10] = (byte) 240;
        planes[11] = (byte) 128;
        s.writeBytes(planes);
        try (Y4mSource src = open(s.toByteArray())) {
            Frame f = src.next();
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 4; x++) {
                    int[] px = pixel(f, y * 4 + x);
                    int[] want = x < 2 ? new int[] {255, 0, 0} : bt601(81, 128, 128);
                    assertArrayEquals(want, px, "pixel (" + y + ", " + x + ")");
                }
            }
        }
    }

    @Test
    void badFrameMarkerIsReportedAndSkipped() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        ascii(s, "YUV4MPEG2 W4 H2 F10:1 C420jpeg\n");
        ascii(s, "FRAME\n");
        flat420(s, 81, 90, 240);
        ascii(s, "FRAXE\n"); // corrupt marker, its frame is lost
        flat420(s, 145, 54, 34);
        ascii(s, "FRAME Ixyz\n"); // frame parameters are allowed and ignored
        flat420(s, 41, 240, 110);
        ascii(s, "FRAME\n");
        flat420(s, 235, 128, 128);
        try (Y4mSource src = open(s.toByteArray())) {
            Frame a = src.next();
            Frame b = src.next();
            Frame c = src.next();
            assertNull(src.next());
            assertEquals(0, a.index());
            assertArrayEquals(new int[] {255, 0, 0}, pixel(a, 0));
            assertEquals(2, b.index(), "the lost frame leaves a gap in the indices");
            assertArrayEquals(bt601(41, 240, 110), pixel(b, 0));
            assertEquals(3, c.index());
            assertArrayEquals(new int[] {255, 255, 255}, pixel(c, 0));
            assertEquals(1, src.corruptFrames());
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("test stream") && warnings.get(0).contains("FRAXE"),
                warnings.get(0));
    }

    @Test
    void aShortFrameResynchronisesOnTheNextMarker() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        ascii(s, "YUV4MPEG2 W4 H2 F10:1\n"); // C absent: 4:2:0
        ascii(s, "FRAME\n");
        s.writeBytes(new byte[5]); // 5 of 12 bytes, then the next frame
        ascii(s, "FRAME\n");
        flat420(s, 81, 90, 240);
        ascii(s, "FRAME\n");
        flat420(s, 235, 128, 128);
        try (Y4mSource src = open(s.toByteArray())) {
            // the short frame swallows the next marker: that frame is garbage that cannot be
            // told apart, then the reader finds the following marker
            List<Frame> frames = new ArrayList<>();
            for (Frame f; (f = src.next()) != null; ) {
                frames.add(f);
            }
            assertEquals(1, src.corruptFrames());
            assertArrayEquals(new int[] {255, 255, 255}, pixel(frames.get(frames.size() - 1), 0));
        }
    }

    @Test
    void aTruncatedLastFrameEndsTheStreamCleanly() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        ascii(s, "YUV4MPEG2 W4 H2 F10:1 C420jpeg\nFRAME\n");
        flat420(s, 81, 90, 240);
        ascii(s, "FRAME\n");
        s.writeBytes(new byte[7]);
        try (Y4mSource src = open(s.toByteArray())) {
            assertEquals(0, src.next().index());
            assertNull(src.next());
            assertNull(src.next());
            assertEquals(1, src.corruptFrames());
        }
        assertTrue(warnings.get(0).contains("truncated (7 of 12 bytes)"), warnings.get(0));
    }

    @Test
    void monoAnd444AndFullRange() throws IOException {
        ByteArrayOutputStream mono = new ByteArrayOutputStream();
        ascii(mono, "YUV4MPEG2 W2 H1 F10:1 Cmono\nFRAME\n");
        mono.writeBytes(new byte[] {(byte) 235, 16});
        try (Y4mSource src = open(mono.toByteArray())) {
            Frame f = src.next();
            assertArrayEquals(new int[] {255, 255, 255}, pixel(f, 0));
            assertArrayEquals(new int[] {0, 0, 0}, pixel(f, 1));
        }
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        ascii(full, "YUV4MPEG2 W2 H1 F10:1 Cmono XCOLORRANGE=FULL\nFRAME\n");
        full.writeBytes(new byte[] {100, 16});
        try (Y4mSource src = open(full.toByteArray())) {
            Frame f = src.next();
            assertArrayEquals(new int[] {100, 100, 100}, pixel(f, 0));
            assertArrayEquals(new int[] {16, 16, 16}, pixel(f, 1));
        }
        ByteArrayOutputStream c444 = new ByteArrayOutputStream();
        ascii(c444, "YUV4MPEG2 W2 H1 F10:1 C444\nFRAME\n");
        c444.writeBytes(new byte[] {81, (byte) 145, 90, 54, (byte) 240, 34});
        try (Y4mSource src = open(c444.toByteArray())) {
            Frame f = src.next();
            assertArrayEquals(new int[] {255, 0, 0}, pixel(f, 0));
            assertArrayEquals(bt601(145, 54, 34), pixel(f, 1));
        }
        // full-range JPEG colour: Y 76, Cb 85, Cr 255 is pure red in BT.601 full range
        ByteArrayOutputStream fullColour = new ByteArrayOutputStream();
        ascii(fullColour, "YUV4MPEG2 W1 H1 F10:1 C444 XCOLORRANGE=FULL\nFRAME\n");
        fullColour.writeBytes(new byte[] {76, 85, (byte) 255});
        try (Y4mSource src = open(fullColour.toByteArray())) {
            int[] px = pixel(src.next(), 0);
            assertTrue(px[0] >= 253 && px[1] <= 1 && px[2] <= 1, Arrays.toString(px));
        }
    }

    @Test
    void badHeadersAreRefusedClearly() {
        String[] bad = {
            "YUV4MPEG2 W4 H2 F10:1 C420p10\n",
            "YUV4MPEG2 W4 H2 F10:1 C411\n",
            "YUV4MPEG2 W0 H2 F10:1\n",
            "YUV4MPEG2 W99999 H99999 F10:1\n",
            "YUV4MPEG2 W20000 H10\n",
            "YUV4MPEG2 H2 F10:1\n",
            "YUV4MPEG2 W4 H2 F0:1\n",
            "YUV4MPEG2 Wfour H2\n",
            "RIFF....WAVE\n",
            "",
        };
        for (String header : bad) {
            UserException e = assertThrows(UserException.class,
                    () -> open(header.getBytes(StandardCharsets.US_ASCII)), header);
            assertTrue(e.getMessage().startsWith("test stream"), e.getMessage());
        }
        UserException colour = assertThrows(UserException.class,
                () -> open("YUV4MPEG2 W4 H2 C420p10\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(colour.getMessage().contains("C420p10 is not supported"),
                colour.getMessage());
        byte[] endless = new byte[10_000];
        Arrays.fill(endless, (byte) 'A');
        System.arraycopy("YUV4MPEG2 ".getBytes(StandardCharsets.US_ASCII), 0, endless, 0, 10);
        assertThrows(UserException.class, () -> open(endless));
    }

    @Test
    void matchesFfmpegsOwnConversion() throws Exception {
        assumeTrue(Ffmpeg.available(), "ffmpeg is not on the PATH; skipping the comparison"
                + " with ffmpeg's YUV to RGB conversion (apt-get install ffmpeg)");
        // flat colours, so ffmpeg's chroma interpolation cannot differ from ours
        String src = "color=c=0x3366cc:size=32x16:rate=5,format=yuv420p";
        byte[] y4m = FfmpegTestUtil.run("-f", "lavfi", "-i", src, "-frames:v", "1", "-f",
                "yuv4mpegpipe", "-");
        byte[] rgb = FfmpegTestUtil.run("-f", "lavfi", "-i", src, "-frames:v", "1", "-f",
                "rawvideo", "-pix_fmt", "rgb24", "-");
        try (Y4mSource s = open(y4m)) {
            Frame f = s.next();
            assertEquals(rgb.length, f.rgb().length);
            for (int i = 0; i < rgb.length; i++) {
                int d = Math.abs((rgb[i] & 0xFF) - (f.rgb()[i] & 0xFF));
                assertTrue(d <= 2, "byte " + i + ": ffmpeg " + (rgb[i] & 0xFF) + ", ours "
                        + (f.rgb()[i] & 0xFF));
            }
        }
    }

    @Test
    void rawRgbFramesOfAGivenSize() throws IOException {
        byte[] stream = new byte[2 * 3 * 3 * 2 + 5]; // two 2x3 frames and a stray tail
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (byte) i;
        }
        try (RawRgbSource src = new RawRgbSource(new ByteArrayInputStream(stream), "raw", 2, 3,
                FrameRate.DEFAULT, warnings::add)) {
            assertEquals(0, src.next().rgb()[0]);
            assertEquals(18, src.next().rgb()[0]);
            assertNull(src.next());
            assertEquals(1, src.corruptFrames());
        }
        assertTrue(warnings.get(0).contains("truncated (5 of 18 bytes"), warnings.get(0));
    }

    @Test
    void oneFrameMayHoldAtMost8kAndMemoryFollowsTheBytesSent() throws IOException {
        // 40 bytes used to ask for a 16384x16384 frame: 400 MB of planes before any data came
        byte[] huge = "YUV4MPEG2 W16384 H16384 F25:1 C420jpeg\n".getBytes(StandardCharsets.US_ASCII);
        UserException e = assertThrows(UserException.class, () -> open(huge));
        assertTrue(e.getMessage().startsWith("test stream: the y4m header asks for 16384x16384 frames")
                && e.getMessage().contains("8K UHD"), e.getMessage());
        // 8K itself is allowed; a stream that then sends a few bytes allocates a few bytes
        byte[] eightK = "YUV4MPEG2 W7680 H4320 C420jpeg\nFRAME\nabc".getBytes(StandardCharsets.US_ASCII);
        try (Y4mSource src = open(eightK)) {
            assertNull(src.next());
        }
        assertTrue(warnings.get(0).contains("truncated (3 of 49766400 bytes)"), warnings.get(0));

        e = assertThrows(UserException.class, () -> new RawRgbSource(new ByteArrayInputStream(new byte[0]), "stdin",
                16384, 16384, FrameRate.DEFAULT, warnings::add));
        assertTrue(e.getMessage().startsWith("stdin: raw frames of 16384x16384"), e.getMessage());
    }
}
