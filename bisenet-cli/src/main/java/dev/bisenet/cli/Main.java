package dev.bisenet.cli;

import dev.bisenet.util.UserException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bisenet} command line: one subcommand per job, each a small class that delegates. */
@Command(
        name = "bisenet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "BiSeNet V2 semantic segmentation on the JVM: predict, evaluate, train, average, export, benchmark.",
        subcommands = {
            PredictCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            ExportCommand.class,
            AverageCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Examples:",
            "  ./bisenet predict --preset camvid --input street.png --output out/",
            "  ./bisenet predict --checkpoint model_final_v2_city.pth --input frames/ --output out/"})
public final class Main implements Runnable {

    /** Exit codes: 0 success, 1 some inputs failed, 2 user error, 70 internal error (a bug). */
    public static final int EXIT_PARTIAL = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BUG = 70;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this, not main). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::onException);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_USAGE;
        });
        return cl;
    }

    private static int onException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean debug = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"))
                || parsed.hasMatchedOption("--debug");
        PrintWriter err = cl.getErr();
        UserException user = userCause(ex);
        if (user != null) {
            err.println("error: " + user.getMessage());
            if (debug) ex.printStackTrace(err);
            return EXIT_USAGE;
        }
        err.println("internal error (a bug; please report it with this trace):");
        ex.printStackTrace(err);
        return EXIT_BUG;
    }

    private static UserException userCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UserException u) return u;
        }
        return null;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"bisenet " + (v != null ? v : "dev")};
        }
    }
}
