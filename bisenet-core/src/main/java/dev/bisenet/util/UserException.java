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
}
