package dev.bisenet.video;

/**
 * A failure of a {@link Pipeline} stage that is not the user's mistake (the model throwing, a
 * bug), rethrown by {@link Pipeline#run()} with the stage's name.
 */
public final class PipelineException extends RuntimeException {

    private final String stage;

    PipelineException(String stage, Throwable cause) {
        super("video pipeline failed in the " + stage + " stage: " + cause, cause);
        this.stage = stage;
    }

    /** decode, preprocess, infer, postprocess or encode. */
    public String stage() {
        return stage;
    }
}
