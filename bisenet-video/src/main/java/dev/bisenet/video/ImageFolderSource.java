package dev.bisenet.video;

import dev.bisenet.util.UserException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Frames from a folder of images (PNG, JPEG, BMP) in natural name order, so that
 * {@code frame2.png} comes before {@code frame10.png}. An image that cannot be decoded is
 * reported by name and skipped; the pictures may differ in size.
 */
public final class ImageFolderSource implements FrameSource {

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

    private final Path dir;
    private final List<Path> files;
    private final FrameRate rate;
    private final Consumer<String> warnings;
    private final VideoInfo info;
    private int position;
    private long corrupt;
    private Frame first;

    /**
     * @param rate the frame rate given to video outputs and frame times
     * @param warnings told the name of each image that cannot be decoded
     * @throws UserException when the folder is missing or holds no readable image
     */
    public ImageFolderSource(Path dir, FrameRate rate, Consumer<String> warnings)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new UserException("frame folder not found: " + dir);
        }
        this.dir = dir;
        this.rate = rate;
        this.warnings = warnings;
        try (Stream<Path> s = Files.list(dir)) {
            this.files = s.filter(p -> Files.isRegularFile(p) && isImage(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString(),
                            ImageFolderSource::compareNatural))
                    .collect(Collectors.toList());
        }
        // the size comes from the first image that decodes; it is kept and handed out first
        this.first = readNextGood();
        if (first == null) {
            throw new UserException("no readable PNG/JPEG/BMP image in " + dir);
        }
        this.info = new VideoInfo(first.height(), first.width(), rate, files.size());
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith) && !name.startsWith(".");
    }

    /** Orders names with runs of digits compared by value: a2 &lt; a10. */
    static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String da = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length())
                        : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b); // "a01" and "a1" stay distinct
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    @Override
    public Frame next() {
        if (first != null) {
            Frame f = first;
            first = null;
            return f;
        }
        return readNextGood();
    }

    private Frame readNextGood() {
        while (position < files.size()) {
            int index = position++;
            Path file = files.get(index);
            try {
                byte[] rgb;
                BufferedImage image = read(file);
                rgb = toRgb(image);
                String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                return new Frame(index, image.getHeight(), image.getWidth(), rgb,
                        index / rate.fps(), stem);
            } catch (IOException | RuntimeException e) {
                corrupt++;
                warnings.accept("skipping unreadable image " + file + ": " + e.getMessage());
            }
        }
        return null;
    }

    /** Decodes an image after checking the size in its header, so no huge raster is made. */
    static BufferedImage read(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not an image format Java reads");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                Frame.checkSize(reader.getHeight(0), reader.getWidth(0), file.toString());
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new IOException("no picture in the file");
                }
                return image;
            } finally {
                reader.dispose();
            }
        }
    }

    /** RGB interleaved bytes of any image; fast paths for the rasters PNG and JPEG give. */
    static byte[] toRgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] out = new byte[h * w * 3];
        int type = image.getType();
        if (type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR
                || type == BufferedImage.TYPE_BYTE_GRAY) {
            byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            int n = h * w;
            if (type == BufferedImage.TYPE_BYTE_GRAY && data.length == n) {
                for (int i = 0, p = 0; i < n; i++, p += 3) {
                    out[p] = data[i];
                    out[p + 1] = data[i];
                    out[p + 2] = data[i];
                }
                return out;
            }
            int stride = type == BufferedImage.TYPE_4BYTE_ABGR ? 4 : 3;
            int skip = stride - 3; // alpha comes first in ABGR and is dropped
            if (type != BufferedImage.TYPE_BYTE_GRAY && data.length == n * stride) {
                for (int i = 0, p = 0, s = skip; i < n; i++, p += 3, s += stride) {
                    out[p] = data[s + 2];
                    out[p + 1] = data[s + 1];
                    out[p + 2] = data[s];
                }
                return out;
            }
        }
        // any other layout (palette, 16-bit, subimages with a bigger raster): the slow,
        // general path through sRGB ints, one row at a time
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0, p = y * w * 3; x < w; x++, p += 3) {
                int c = row[x];
                out[p] = (byte) (c >> 16);
                out[p + 1] = (byte) (c >> 8);
                out[p + 2] = (byte) c;
            }
        }
        return out;
    }

    @Override
    public long corruptFrames() {
        return corrupt;
    }

    @Override
    public String description() {
        return dir.toString();
    }

    @Override
    public void close() {
        // files are opened and closed per image
    }
}
