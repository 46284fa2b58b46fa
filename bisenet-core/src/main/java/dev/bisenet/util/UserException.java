package dev.bisenet.util;

/**
 * A mistake the user can fix (a missing file, a wrong flag, a bad checkpoint): the CLI prints
 * its message as one line, without a stack trace.
 */
public class UserException extends RuntimeException {

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The message of {@code t}'s innermost cause (its class name when that has none), for the
     * parenthesis of a UserException that rewords a library's failure: the wrappers around it
     * (Jackson's, the executor's, an IOException's) say less than the cause itself.
     */
    public static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }
}
