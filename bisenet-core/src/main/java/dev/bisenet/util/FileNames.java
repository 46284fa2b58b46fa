package dev.bisenet.util;

import java.util.List;
import java.util.Locale;

/** File-name rules shared by every command that reads folders or writes files beside others. */
public final class FileNames {

    /** Extensions of the images a folder is searched for (what ImageIO decodes), lower case. */
    public static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "wbmp");

    private FileNames() {}

    /** {@code street.png} -> {@code street}; a name without a dot, or only a leading one, stays whole. */
    public static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** Whether {@code fileName} ends in one of {@link #IMAGE_EXTENSIONS}, in any case. */
    public static boolean isImage(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1));
    }
}
