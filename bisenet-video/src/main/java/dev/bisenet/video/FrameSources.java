package dev.bisenet.video;

import dev.bisenet.util.UserException;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Opens the right {@link FrameSource} for what the user names as input. */
public final class FrameSources {

    /** The input name that means standard input. */
    public static final String STDIN = "-";

    private FrameSources() {
    }

    /**
     * Opens an input: {@code -} for standard input (y4m, or raw RGB when {@code rawSize} is
     * given), a folder of images, or a video file (through ffmpeg).
     *
     * @param rawSize {height, width} of raw RGB on standard input, or null for y4m
     * @param rate frame rate of image folders and raw input; null for the default 25
     * @param warnings told about corrupt frames and skipped images
     * @throws UserException when the input is missing, unreadable, or needs ffmpeg which is
     *     not installed
     */
    public static FrameSource open(String input, int[] rawSize, FrameRate rate,
            Consumer<String> warnings) throws IOException {
        FrameRate r = rate != null ? rate : FrameRate.DEFAULT;
        if (input.equals(STDIN)) {
            InputStream in = standardInput();
            if (rawSize != null) {
                return new RawRgbSource(in, "standard input", rawSize[0], rawSize[1], r,
                        warnings);
            }
            return new Y4mSource(in, "standard input", warnings);
        }
        if (rawSize != null) {
            throw new UserException("a raw frame size applies to standard input ('-') only,"
                    + " not to " + input);
        }
        Path path = Path.of(input);
        if (Files.isDirectory(path)) {
            return new ImageFolderSource(path, r, warnings);
        }
        if (!Files.exists(path)) {
            throw new UserException("input not found: " + input + " (give a video file, a"
                    + " folder of images, or '-' for standard input)");
        }
        return new FfmpegVideoSource(path, warnings);
    }

    /**
     * Parses a raw frame size written {@code HxW}, such as {@code 512x1024}.
     *
     * @throws UserException when the text is not two positive sizes within the limits
     */
    public static int[] parseSize(String text) {
        int[] hw = dev.bisenet.image.Sizes.parse(text, "frame size");
        try {
            Frame.checkSize(hw[0], hw[1], "size " + text);
        } catch (IllegalArgumentException e) {
            throw new UserException("bad frame size '" + text + "': " + e.getMessage() + " (write height x width, e.g. 512x1024)");
        }
        return hw;
    }

    /**
     * Standard input through a file channel rather than {@code System.in}: interrupting a
     * thread blocked on a channel read ends the read, so cancelling a pipeline does not
     * wait for the next byte from a live stream.
     */
    static InputStream standardInput() {
        return interruptible(new FileInputStream(FileDescriptor.in).getChannel());
    }

    /**
     * A buffered stream over a channel whose blocking reads end when the reading thread is
     * interrupted. {@code Channels.newInputStream} is not used because on Java 17 its
     * {@code available()} seeks, which fails with "Illegal seek" on a pipe.
     */
    static InputStream interruptible(ReadableByteChannel channel) {
        InputStream raw = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n;
                do {
                    n = channel.read(ByteBuffer.wrap(b, off, len));
                } while (n == 0); // a blocking channel returns 0 only for an empty buffer
                return n;
            }

            @Override
            public int available() {
                return 0;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
        // buffered because the y4m reader reads headers a byte at a time
        return new BufferedInputStream(raw, 1 << 16);
    }
}
