package dev.bisenet.video;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Describes a {@link Pipeline}: {@code setSource}, {@code setModel}, {@code setRenderer} and
 * at least one {@code addSink} are required; {@code opt...} have defaults.
 */
public final class PipelineBuilder {

    FrameSource source;
    FrameModel<?> model;
    Renderer renderer;
    final List<FrameSink> sinks = new ArrayList<>();
    VideoOptions options = VideoOptions.DEFAULTS;
    Consumer<String> warnings = m -> { };
    LongConsumer progress = n -> { };
    boolean cancelOnShutdown;

    PipelineBuilder() {
    }

    public PipelineBuilder setSource(FrameSource s) {
        this.source = s;
        return this;
    }

    public PipelineBuilder setModel(FrameModel<?> m) {
        this.model = m;
        return this;
    }

    public PipelineBuilder setRenderer(Renderer r) {
        this.renderer = r;
        return this;
    }

    /** Adds an output; every frame goes to every sink, in the order added. */
    public PipelineBuilder addSink(FrameSink s) {
        this.sinks.add(Objects.requireNonNull(s));
        return this;
    }

    public PipelineBuilder optOptions(VideoOptions o) {
        this.options = Objects.requireNonNull(o);
        return this;
    }

    /** Told about problems that do not stop the run. */
    public PipelineBuilder optWarnings(Consumer<String> w) {
        this.warnings = Objects.requireNonNull(w);
        return this;
    }

    /** Told the number of frames written so far, on the encode thread, after each frame. */
    public PipelineBuilder optProgress(LongConsumer p) {
        this.progress = Objects.requireNonNull(p);
        return this;
    }

    /**
     * Cancels the run when the JVM shuts down (Ctrl-C), waiting up to a minute for the
     * output to be finished.
     */
    public PipelineBuilder optCancelOnShutdown(boolean c) {
        this.cancelOnShutdown = c;
        return this;
    }

    public Pipeline build() {
        return new Pipeline(this);
    }
}
