package dev.bisenet.image;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the common PNGs (8-bit grey, RGB or RGBA, not interlaced, no ICC profile) straight
 * into RGB bytes, about three times faster than ImageIO, whose decoding is most of the work
 * outside the network when a folder is segmented. Anything else, and any file it cannot
 * read, is left to ImageIO ({@link #decode} returns null), which also gives the error
 * messages; the pixels are the ones {@link Rgb#of} makes of ImageIO's image (tested).
 *
 * <p>Hand-written because no library decodes PNG faster than ImageIO on the JVM without
 * natives; DEFLATE is the JDK's {@link Inflater}. It parses untrusted bytes: sizes are checked
 * against {@link ImageDecoder#MAX_PIXELS} before any buffer is sized by them, and it is fuzzed
 * through {@code LabelImageFuzzTest} (Rgb.read and Rgb.decode go through it).
 */
final class FastPng {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private FastPng() {}

    static boolean isPng(byte[] data) {
        if (data.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (data[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** The image, or null when it is not a PNG this reader handles (ImageIO's turn then). */
    static Rgb decode(byte[] data) {
        return decode(data, ImageDecoder.MAX_PIXELS);
    }

    /** As {@link #decode(byte[])}; null too for more than {@code maxPixels} (ImageIO then refuses it from its header). */
    static Rgb decode(byte[] data, long maxPixels) {
        try {
            return decodeOrNull(data, Math.min(maxPixels, ImageDecoder.MAX_PIXELS));
        } catch (RuntimeException | DataFormatException e) {
            return null; // truncated or corrupt: ImageIO says what is wrong
        }
    }

    private static Rgb decodeOrNull(byte[] data, long maxPixels) throws DataFormatException {
        if (!isPng(data)) {
            return null;
        }
        int pos = SIGNATURE.length;
        int width = 0, height = 0, channels = 0;
        boolean header = false;
        ByteArrayOutputStream idat = new ByteArrayOutputStream(data.length);
        while (pos + 8 <= data.length) {
            int len = readInt(data, pos);
            String type = new String(data, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int body = pos + 8;
            if (len < 0 || (long) body + len + 4 > data.length) {
                return null;
            }
            switch (type) {
                case "IHDR" -> {
                    width = readInt(data, body);
                    height = readInt(data, body + 4);
                    int depth = data[body + 8] & 0xff;
                    int color = data[body + 9] & 0xff;
                    int interlace = data[body + 12] & 0xff;
                    channels = switch (color) {
                        case 0 -> 1;
                        case 2 -> 3;
                        case 6 -> 4;
                        default -> 0; // palette, grey + alpha: ImageIO converts them
                    };
                    // over ImageDecoder's limit: ImageIO's path refuses it, from the header, with the message
                    if (depth != 8 || channels == 0 || interlace != 0 || width <= 0 || height <= 0
                            || (long) width * height > maxPixels) {
                        return null;
                    }
                    header = true;
                }
                case "iCCP" -> {
                    return null; // ImageIO would convert from the profile's colour space
                }
                case "IDAT" -> idat.write(data, body, len);
                case "IEND" -> {
                    return header ? pixels(idat.toByteArray(), height, width, channels) : null;
                }
                default -> {
                    // ancillary chunks (gAMA, sRGB, pHYs, text...) do not change ImageIO's pixels
                }
            }
            pos = body + len + 4; // + CRC
        }
        return null; // no IEND: truncated
    }

    /** Inflates, undoes the per-row filters, and keeps R, G, B (grey repeated, alpha dropped). */
    private static Rgb pixels(byte[] zipped, int h, int w, int channels) throws DataFormatException {
        int stride = w * channels;
        byte[] raw = new byte[h * (stride + 1)];                       // (h, 1 + w * channels)
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(zipped);
            int n = 0;
            while (n < raw.length) {
                int got = inflater.inflate(raw, n, raw.length - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    return null; // too little data
                }
                n += got;
            }
        } finally {
            inflater.end();
        }
        byte[] prev = new byte[stride];
        byte[] cur = new byte[stride];
        byte[] out = new byte[h * w * 3];                              // (h, w, 3)
        for (int y = 0; y < h; y++) {
            int at = y * (stride + 1);
            int filter = raw[at];
            System.arraycopy(raw, at + 1, cur, 0, stride);
            unfilter(filter, cur, prev, channels);
            int o = y * w * 3;
            if (channels == 3) {
                System.arraycopy(cur, 0, out, o, stride);
            } else if (channels == 4) {
                for (int x = 0, s = 0; x < w; x++, s += 4, o += 3) {
                    out[o] = cur[s];
                    out[o + 1] = cur[s + 1];
                    out[o + 2] = cur[s + 2];
                }
            } else {
                for (int x = 0; x < w; x++, o += 3) {
                    out[o] = out[o + 1] = out[o + 2] = cur[x];
                }
            }
            byte[] t = prev;
            prev = cur;
            cur = t;
        }
        return new Rgb(h, w, out);
    }

    // PNG's five filters, bpp = bytes per pixel (8-bit samples)
    private static void unfilter(int filter, byte[] cur, byte[] prev, int bpp) {
        int n = cur.length;
        switch (filter) {
            case 0 -> { }
            case 1 -> {
                for (int i = bpp; i < n; i++) {
                    cur[i] += cur[i - bpp];
                }
            }
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    cur[i] += prev[i];
                }
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    int left = i >= bpp ? cur[i - bpp] & 0xff : 0;
                    cur[i] += (byte) ((left + (prev[i] & 0xff)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? cur[i - bpp] & 0xff : 0;
                    int b = prev[i] & 0xff;
                    int c = i >= bpp ? prev[i - bpp] & 0xff : 0;
                    int p = a + b - c;
                    int pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
                    cur[i] += (byte) (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
            }
            default -> throw new IllegalArgumentException("PNG filter " + filter);
        }
    }

    private static int readInt(byte[] d, int at) {
        return (d[at] & 0xff) << 24 | (d[at + 1] & 0xff) << 16 | (d[at + 2] & 0xff) << 8 | (d[at + 3] & 0xff);
    }
}
