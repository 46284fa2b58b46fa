package dev.bisenet.serve;

import dev.bisenet.util.UserException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * {@code bisenet serve}'s entry point: the launcher puts this module on the class path only for
 * that command. Exit codes as the CLI's: 0 done (SIGTERM included), 2 a user's mistake (one
 * line), 70 a bug (with its trace).
 */
public final class ServeMain {

    static final int EXIT_USAGE = 2;
    static final int EXIT_BUG = 70;

    private ServeMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses and runs {@code serve ARGS} (tests call this, not main). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            UserException user = userCause(ex);
            if (user != null) {
                err.println("error: " + user.getMessage());
                if (parsed.hasMatchedOption("--debug")) ex.printStackTrace(err);
                return EXIT_USAGE;
            }
            if (ex instanceof IllegalArgumentException) { // a flag out of range (SegmentServer.Config)
                err.println("error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            err.println("internal error (a bug; please report it with this trace):");
            ex.printStackTrace(err);
            return EXIT_BUG;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            err.println("Try 'bisenet serve --help'.");
            return EXIT_USAGE;
        });
        return cl;
    }

    private static UserException userCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UserException u) return u;
        }
        return null;
    }
}
