package dev.bisenet.spark;

import dev.bisenet.util.FileNames;
import dev.bisenet.util.UserException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on any Hadoop file system (local paths, {@code file:}, {@code hdfs:}, {@code s3a:} with its
 * connector on the classpath): listing, reading, and writing all at once. Strings, never
 * {@code java.nio.file.Path}, which mangles URIs ({@code s3a://b/k} becomes {@code s3a:/b/k}).
 * Serializable: the Hadoop configuration travels with the job (its {@code spark.hadoop.*}
 * settings, credentials included) and is rebuilt on each executor.
 */
final class HadoopFiles implements Serializable {

    private static final long serialVersionUID = 1L;

    static final List<String> IMAGE_EXTENSIONS = FileNames.IMAGE_EXTENSIONS;

    private final byte[] conf; // Configuration.write
    private transient Configuration hadoop;

    HadoopFiles(Configuration conf) {
        this.hadoop = conf;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            conf.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.conf = bytes.toByteArray();
    }

    Configuration conf() {
        if (hadoop == null) {
            Configuration c = new Configuration(false);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(conf))) {
                c.readFields(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            hadoop = c;
        }
        return hadoop;
    }

    FileSystem fs(Path p) throws IOException {
        FileSystem fs = p.getFileSystem(conf());
        fs.setWriteChecksum(false); // no .crc file beside each output on the local file system
        return fs;
    }

    /** The images at {@code input}: the file itself, or a folder's image files, sorted by name. */
    List<String> listImages(String input) {
        Path p = new Path(input);
        try {
            FileSystem fs = fs(p);
            if (!fs.exists(p)) {
                throw new UserException(input + ": no such file or folder");
            }
            FileStatus st = fs.getFileStatus(p);
            if (st.isFile()) {
                return List.of(st.getPath().toString());
            }
            List<String> out = new ArrayList<>();
            for (FileStatus f : fs.listStatus(p)) {
                if (f.isFile() && isImage(f.getPath().getName())) {
                    out.add(f.getPath().toString());
                }
            }
            out.sort(null);
            if (out.isEmpty()) {
                throw new UserException(input + ": no images in this folder (looked for "
                        + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList()) + ")");
            }
            return out;
        } catch (IOException e) {
            throw new UserException(input + ": cannot list (" + e.getMessage() + ")");
        }
    }

    static boolean isImage(String name) {
        return !name.startsWith(".") && FileNames.isImage(name); // hidden: a task's temporary file
    }

    /** A file name without its extension. */
    static String stem(String uri) {
        return FileNames.stem(new Path(uri).getName());
    }

    byte[] read(String uri) throws IOException {
        Path p = new Path(uri);
        try (InputStream in = fs(p).open(p)) {
            return in.readAllBytes();
        }
    }

    /** Makes the folder (and its parents), checking it can be made: the driver, before the job. */
    void mkdirs(String dir) {
        Path p = new Path(dir);
        try {
            if (!fs(p).mkdirs(p)) {
                throw new UserException(dir + ": cannot create the output folder");
            }
        } catch (IOException e) {
            throw new UserException(dir + ": cannot create the output folder (" + e.getMessage() + ")");
        }
    }

    /**
     * Writes {@code content} to {@code dir/name} all at once: into a hidden temporary file named
     * after the task attempt, then a rename. A retried task writes the same bytes again and
     * replaces the file; a failed attempt leaves no temporary file behind (deleted in finally,
     * and hidden names are ignored by every reader).
     */
    void writeAtomically(String dir, String name, byte[] content, String attempt) throws IOException {
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + "." + attempt + ".tmp");
        FileSystem fs = fs(target);
        try {
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(content);
            }
            if (fs.exists(target)) {
                fs.delete(target, false); // an earlier attempt's (same bytes) or an earlier run's
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename to " + target + " failed");
            }
        } finally {
            fs.delete(tmp, false);
        }
    }

    static URI uri(String s) {
        return new Path(s).toUri();
    }
}
