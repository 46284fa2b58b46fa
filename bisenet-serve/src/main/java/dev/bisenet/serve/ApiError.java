package dev.bisenet.serve;

/**
 * A request the server refuses: the HTTP status and a message that says what was wrong and what
 * to send instead. The server answers it as the protocol's error object {@code {"error": "..."}}.
 */
final class ApiError extends RuntimeException {

    final int status;
    /** Seconds for a Retry-After header (503), or 0 for none. */
    final int retryAfterSeconds;

    ApiError(int status, String message) {
        this(status, message, 0);
    }

    ApiError(int status, String message, int retryAfterSeconds) {
        super(message, null, false, false); // no stack trace: a refusal, not a bug
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
