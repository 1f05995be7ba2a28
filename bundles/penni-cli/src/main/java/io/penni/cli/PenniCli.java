package io.penni.cli;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;

import io.penni.cli.internal.BenchInferenceCommand;
import io.penni.cli.internal.CliException;
import io.penni.cli.internal.Command;
import io.penni.cli.internal.DeployCommand;
import io.penni.cli.internal.ExportCommand;
import io.penni.cli.internal.FetchCommand;
import io.penni.cli.internal.FollowCommand;
import io.penni.cli.internal.ImportCommand;
import io.penni.cli.internal.ModelSummaryCommand;
import io.penni.cli.internal.ModelsCommand;
import io.penni.cli.internal.ReportCommand;
import io.penni.cli.internal.StatusCommand;
import io.penni.cli.internal.RecipesCommand;
import io.penni.cli.internal.StrategiesCommand;
import io.penni.cli.internal.SubmitCommand;
import io.penni.model.ModelException;

/**
 * The command-line entry point behind {@code bin/penni} for commands that run outside the server. It picks the
 * command whose words begin the arguments, runs it, and turns every failure into one line
 * {@code penni: <what is wrong>} on standard error with a non-zero exit status: 2 for a command line that does
 * not parse, 1 for a command that failed.
 */
public final class PenniCli {

    /** Every command; a new one is one more entry. */
    static final List<Command> COMMANDS = List.of(new SubmitCommand(), new FollowCommand(), new StatusCommand(),
            new ReportCommand(), new FetchCommand(), new ExportCommand(), new StrategiesCommand(),
            new ModelSummaryCommand(), new ImportCommand(), new BenchInferenceCommand(), new DeployCommand(),
            new ModelsCommand(), new RecipesCommand());

    private PenniCli() {
    }

    /**
     * Entry point.
     *
     * @param args the command's words and arguments, e.g. {@code model summary resnet18-cifar}
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /**
     * Runs a command line.
     *
     * @param args the words and arguments
     * @param out where output goes
     * @param err where the error line goes
     * @return the exit status
     */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || List.of("help", "-h", "--help").contains(args.get(0))) {
            out.print(usage());
            return 0;
        }
        Command command = COMMANDS.stream().filter(c -> startsWith(args, c.path()))
                .max(Comparator.comparingInt(c -> c.path().size())).orElse(null);
        try {
            if (command == null) {
                throw CliException.usage(unknown(args));
            }
            return command.run(args.subList(command.path().size(), args.size()), out);
        } catch (CliException e) {
            err.println("penni: " + e.getMessage());
            return e.status();
        } catch (ModelException e) {
            err.println("penni: " + e.getMessage());
            return CliException.FAILED;
        } catch (org.apache.kafka.common.KafkaException e) {
            // a cluster that went away or refused mid-command: what Kafka said, in one line
            err.println("penni: Kafka: " + e.getMessage());
            return CliException.FAILED;
        } catch (RuntimeException e) {
            // a bug, not a user error: still one line, with enough to report it
            err.println("penni: internal error: " + e);
            return CliException.FAILED;
        }
    }

    private static boolean startsWith(List<String> args, List<String> path) {
        return args.size() >= path.size() && args.subList(0, path.size()).equals(path);
    }

    private static String unknown(List<String> args) {
        List<String> group = COMMANDS.stream().filter(c -> c.path().get(0).equals(args.get(0)))
                .map(c -> String.join(" ", c.path())).toList();
        if (!group.isEmpty()) {
            return "'" + String.join(" ", args) + "' is not a command; did you mean " + String.join(" or ", group)
                    + "? (bin/penni help lists them)";
        }
        return "unknown command '" + args.get(0) + "'; bin/penni help lists the commands";
    }

    private static String usage() {
        StringBuilder text = new StringBuilder();
        for (Command command : COMMANDS) {
            String synopsis = String.join(" ", command.path()) + " " + command.arguments();
            // a long synopsis gets its own line rather than pushing the description off the screen
            text.append(synopsis.length() <= 40 ? String.format("  %-40s %s%n", synopsis, command.description())
                    : String.format("  %s%n  %-40s %s%n", synopsis, "", command.description()));
        }
        return text.toString();
    }
}
