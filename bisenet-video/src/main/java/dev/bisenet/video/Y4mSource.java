package dev.bisenet.video;

import dev.bisenet.util.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Frames from a YUV4MPEG2 (y4m) stream, such as {@code ffmpeg ... -f yuv4mpegpipe -} piped into
 * standard input, converted to RGB in Java.
 *
 * <p>Written by hand because no maintained Java library reads y4m and the format is a text
 * header plus raw planes. Supported colour spaces: 4:2:0 (C420jpeg, C420mpeg2, C420paldv,
 * C420; chroma siting is ignored and each chroma sample covers its 2x2 block), C422, C444 and
 * Cmono, all 8-bit; others are refused with a message. The conversion is BT.601 (the matrix of
 * y4m streams that ffmpeg writes from rawvideo), limited range (Y 16..235, Cb/Cr 16..240)
 * unless the header carries ffmpeg's {@code XCOLORRANGE=FULL}.
 *
 * <p>A frame whose {@code FRAME} marker is wrong is reported and skipped: the reader searches
 * forward for the next marker. A frame cut short by the end of the stream is reported and ends
 * the stream. Header values are checked before any buffer is sized from them.
 */
public final class Y4mSource implements FrameSource {

    private static final byte[] MAGIC = "YUV4MPEG2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MARKER = "FRAME".getBytes(StandardCharsets.US_ASCII);
    /** Longest stream or frame header line accepted; real ones are under 100 bytes. */
    private static final int MAX_LINE = 4096;
    /**
     * Most pixels one frame may have: 8K UHD (7680x4320). A stream carries no size to check a
     * header against, so without a cap a 40-byte header could ask for a 400 MB frame.
     */
    static final long MAX_FRAME_PIXELS = 7680L * 4320;

    private final PushbackInputStream in;
    private final String description;
    private final Consumer<String> warnings;
    private final VideoInfo info;
    private final int chromaWidth;
    private final int chromaHeight;
    private final int frameBytes; // Y (h*w), then Cb and Cr (chromaHeight*chromaWidth each)
    private byte[] planes; // frameBytes, allocated once the first frame has arrived
    private final int[] yTerm = new int[256]; // luma contribution, scaled by 256
    private final int[] rV = new int[256];
    private final int[] gU = new int[256];
    private final int[] gV = new int[256];
    private final int[] bU = new int[256];
    private long index;
    private long corrupt;
    private boolean ended;

    /**
     * Reads the stream header.
     *
     * @param description names the stream in messages, such as {@code standard input}
     * @param warnings told about each corrupt or truncated frame
     * @throws UserException when the header is not y4m or uses an unsupported colour space
     */
    public Y4mSource(InputStream in, String description, Consumer<String> warnings)
            throws IOException {
        this.in = new PushbackInputStream(in, MARKER.length);
        this.description = description;
        this.warnings = warnings;
        String header = readLine("stream header");
        if (header == null || !header.startsWith("YUV4MPEG2")) {
            throw new UserException(description + " is not a YUV4MPEG2 stream (it must start"
                    + " with 'YUV4MPEG2'); pipe e.g. 'ffmpeg -i VIDEO -f yuv4mpegpipe -', or give"
                    + " the size of raw RGB input");
        }
        long width = -1;
        long height = -1;
        FrameRate rate = FrameRate.DEFAULT;
        String colour = "420jpeg"; // the format's default when C is absent
        boolean fullRange = false;
        for (String token : header.substring(MAGIC.length).trim().split(" +")) {
            if (token.isEmpty()) {
                continue;
            }
            String value = token.substring(1);
            try {
                switch (token.charAt(0)) {
                    case 'W' -> width = Long.parseLong(value);
                    case 'H' -> height = Long.parseLong(value);
                    case 'F' -> rate = FrameRate.parse(value);
                    case 'C' -> colour = value;
                    case 'X' -> fullRange |= value.equalsIgnoreCase("COLORRANGE=FULL");
                    default -> {
                        // I (interlacing) and A (pixel aspect) do not change the decoding
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new UserException(description + ": bad y4m header field '" + token
                        + "': " + e.getMessage(), e);
            }
        }
        try {
            Frame.checkSize(height, width, description + " (y4m header W and H)");
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        if (height * width > MAX_FRAME_PIXELS) {
            throw new UserException(description + ": the y4m header asks for " + height + "x" + width
                    + " frames (height x width); one frame may hold at most " + MAX_FRAME_PIXELS
                    + " pixels (8K UHD): scale the video down first (e.g. ffmpeg ... -vf scale=-2:2160)");
        }
        int h = (int) height;
        int w = (int) width;
        switch (colour) {
            case "420jpeg", "420mpeg2", "420paldv", "420" -> {
                chromaWidth = (w + 1) / 2;
                chromaHeight = (h + 1) / 2;
            }
            case "422" -> {
                chromaWidth = (w + 1) / 2;
                chromaHeight = h;
            }
            case "444" -> {
                chromaWidth = w;
                chromaHeight = h;
            }
            case "mono" -> {
                chromaWidth = 0;
                chromaHeight = 0;
            }
            default -> throw new UserException(description + ": y4m colour space C" + colour
                    + " is not supported; use 8-bit 420jpeg, 420mpeg2, 420paldv, 420, 422, 444"
                    + " or mono (e.g. ffmpeg ... -pix_fmt yuv420p -f yuv4mpegpipe -)");
        }
        this.info = new VideoInfo(h, w, rate, -1);
        this.frameBytes = h * w + 2 * chromaWidth * chromaHeight;
        buildTables(fullRange);
    }

    // BT.601 in 8-bit fixed point (coefficients times 256), as in the usual integer
    // conversions: limited range scales Y by 255/219 and chroma by 255/224.
    private void buildTables(boolean fullRange) {
        for (int v = 0; v < 256; v++) {
            int c = v - 128;
            if (fullRange) {
                yTerm[v] = 256 * v;
                rV[v] = 359 * c;
                gU[v] = -88 * c;
                gV[v] = -183 * c;
                bU[v] = 454 * c;
            } else {
                yTerm[v] = 298 * (v - 16);
                rV[v] = 409 * c;
                gU[v] = -100 * c;
                gV[v] = -208 * c;
                bU[v] = 516 * c;
            }
        }
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    @Override
    public Frame next() throws IOException {
        while (!ended) {
            if (!readFrameMarker()) {
                ended = true;
                return null;
            }
            int n;
            if (planes == null) {
                // readNBytes(int) grows its buffer as bytes arrive: memory follows the data sent
                planes = in.readNBytes(frameBytes);
                n = planes.length;
            } else {
                n = in.readNBytes(planes, 0, frameBytes);
            }
            if (n < frameBytes) {
                ended = true;
                corrupt++;
                warnings.accept(description + ": y4m frame " + index + " is truncated (" + n
                        + " of " + frameBytes + " bytes) and was skipped");
                return null;
            }
            long i = index++;
            return new Frame(i, info.height(), info.width(), toRgb(), i / info.rate().fps(),
                    null);
        }
        return null;
    }

    /**
     * Consumes a {@code FRAME} header line. On a bad marker, reports it and skips to the next
     * marker.
     *
     * @return false at the end of the stream
     */
    private boolean readFrameMarker() throws IOException {
        byte[] got = new byte[MARKER.length];
        int n = in.readNBytes(got, 0, got.length);
        if (n == 0) {
            return false;
        }
        if (n == got.length && Arrays.equals(got, MARKER) && endsHeader()) {
            return true;
        }
        corrupt++;
        warnings.accept(description + ": y4m frame " + index + " has no valid FRAME marker"
                + " (found '" + printable(got, n) + "'); skipping to the next FRAME marker");
        index++; // one frame is presumed lost, which keeps later frame times closer
        if (n > 1) {
            in.unread(got, 1, n - 1); // a marker may start inside the bytes just read
        }
        return resync();
    }

    // After "FRAME": a space and parameters, or the newline at once.
    private boolean endsHeader() throws IOException {
        int b = in.read();
        if (b == '\n') {
            return true;
        }
        if (b != ' ') {
            return false;
        }
        // frame parameters are ignored; a line that never ends is corruption, not an error
        for (int i = 0; i < MAX_LINE; i++) {
            b = in.read();
            if (b == '\n') {
                return true;
            }
            if (b < 0) {
                return false;
            }
        }
        return false;
    }

    /** Scans for "FRAME" plus a valid end of header; false when the stream ends first. */
    private boolean resync() throws IOException {
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            // "FRAME" has no repeated prefix, so on a mismatch only an 'F' can restart it
            matched = b == MARKER[matched] ? matched + 1 : b == 'F' ? 1 : 0;
            if (matched == MARKER.length) {
                if (endsHeader()) {
                    return true;
                }
                matched = 0;
            }
        }
        return false;
    }

    /** Reads the stream header line; null when the stream is empty. */
    private String readLine(String what) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (sb.length() >= MAX_LINE) {
                throw new UserException(description + ": y4m " + what + " is longer than "
                        + MAX_LINE + " bytes; this is not a YUV4MPEG2 stream");
            }
            sb.append((char) b);
        }
        if (b < 0 && sb.length() == 0) {
            return null;
        }
        if (b < 0) {
            throw new UserException(description + ": stream ended inside the y4m " + what);
        }
        return sb.toString();
    }

    private static String printable(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            sb.append(c >= 32 && c < 127 ? Character.toString(c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    private byte[] toRgb() {
        int h = info.height();
        int w = info.width();
        byte[] rgb = new byte[h * w * 3];
        int uBase = h * w;
        int vBase = uBase + chromaWidth * chromaHeight;
        // chroma subsampling factors, as shifts: 4:2:0 (1,1), 4:2:2 (1,0), 4:4:4 (0,0)
        int sx = chromaWidth == w ? 0 : 1;
        int sy = chromaHeight == h ? 0 : 1;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int cRow = (y >> sy) * chromaWidth;
            for (int x = 0; x < w; x++) {
                int yy = yTerm[planes[row + x] & 0xFF];
                int p = (row + x) * 3;
                if (chromaWidth == 0) {
                    byte g = clamp(yy + 128);
                    rgb[p] = g;
                    rgb[p + 1] = g;
                    rgb[p + 2] = g;
                    continue;
                }
                int c = cRow + (x >> sx);
                int u = planes[uBase + c] & 0xFF;
                int v = planes[vBase + c] & 0xFF;
                rgb[p] = clamp(yy + rV[v] + 128);
                rgb[p + 1] = clamp(yy + gU[u] + gV[v] + 128);
                rgb[p + 2] = clamp(yy + bU[u] + 128);
            }
        }
        return rgb;
    }

    private static byte clamp(int scaled) {
        int v = scaled >> 8;
        return (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
    }

    @Override
    public long corruptFrames() {
        return corrupt;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
