package io.penni.cli.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Prints {@link FollowView} outputs. On a terminal the live line is redrawn in place with {@code \r} (cut to the
 * terminal's width, since a wrapped line cannot be redrawn) and lines that stay are printed above it. Elsewhere (a
 * pipe, a log file) there is no redrawing: a progress line is printed as a plain line, at most one per stage per
 * {@code plainInterval} of the events' time, so a log gets a readable trace rather than one line a second.
 */
public final class FollowPrinter {

    /** What the printer is writing to. */
    public sealed interface Mode permits Terminal, Plain {
    }

    /**
     * A terminal: redraw the live line.
     *
     * @param width its width in characters
     */
    public record Terminal(int width) implements Mode {
    }

    /**
     * Not a terminal: plain lines.
     *
     * @param interval the least event time between two progress lines of one stage
     */
    public record Plain(Duration interval) implements Mode {
    }

    /** The environment variable {@code bin/penni} sets to the terminal's width when its output is a terminal. */
    public static final String TERMINAL_ENV = "PENNI_TERMINAL_COLUMNS";

    private final PrintStream out;
    private final Mode mode;
    private Optional<String> shown = Optional.empty();
    private final Map<String, Instant> lastPlain = new HashMap<>();

    /**
     * @param out where to print
     * @param mode a terminal or not
     */
    public FollowPrinter(PrintStream out, Mode mode) {
        this.out = out;
        this.mode = mode;
    }

    /**
     * The mode for this process's standard output: a terminal when {@code bin/penni} says so (with its width) or
     * when the JVM has a console, else plain lines every 10 s.
     *
     * @return the mode
     */
    public static Mode forThisProcess() {
        String columns = System.getenv(TERMINAL_ENV);
        if (columns != null && !columns.isBlank()) {
            try {
                return new Terminal(Math.max(40, Integer.parseInt(columns.trim())));
            } catch (NumberFormatException e) {
                return new Terminal(80);
            }
        }
        return System.console() != null ? new Terminal(80) : new Plain(Duration.ofSeconds(10));
    }

    /**
     * @param output what to print
     */
    public void print(FollowView.Output output) {
        if (output instanceof FollowView.Line line) {
            if (mode instanceof Terminal && shown.isPresent()) {
                clear();
                out.println(line.text());
                out.print(shown.get());
            } else {
                out.println(line.text());
            }
        } else if (output instanceof FollowView.Live live) {
            live(live);
        } else {
            if (mode instanceof Terminal && shown.isPresent()) {
                clear();
            }
            shown = Optional.empty();
            lastPlain.clear();
        }
        out.flush();
    }

    /** Ends the live line, leaving the cursor at the start of a fresh line. */
    public void finish() {
        print(new FollowView.LiveEnd());
    }

    private void live(FollowView.Live live) {
        if (mode instanceof Terminal terminal) {
            String text = live.text().length() >= terminal.width() ? live.text().substring(0, terminal.width() - 1)
                    : live.text();
            int previous = shown.map(String::length).orElse(0);
            out.print("\r" + text + " ".repeat(Math.max(0, previous - text.length())));
            if (previous > text.length()) {
                out.print("\r" + text);
            }
            shown = Optional.of(text);
        } else {
            Duration interval = ((Plain) mode).interval();
            Instant last = lastPlain.get(live.stage());
            if (last == null || !live.time().isBefore(last.plus(interval))) {
                out.println(live.text());
                lastPlain.put(live.stage(), live.time());
            }
        }
    }

    private void clear() {
        out.print("\r" + " ".repeat(shown.map(String::length).orElse(0)) + "\r");
    }
}
