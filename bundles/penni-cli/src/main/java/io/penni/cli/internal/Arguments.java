package io.penni.cli.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's arguments split into positional words, flags ({@code --json}) and options with a value
 * ({@code --bootstrap HOST:PORT} or {@code --bootstrap=HOST:PORT}). Anything that does not parse is a usage error
 * naming the command and its usage line.
 *
 * @param command the command's words, for messages (e.g. {@code follow})
 * @param usage the command's usage line, for messages
 * @param positional the words that are not options, in order ({@code -} counts as a word: standard input)
 * @param flags the flags given
 * @param options the options given, with their values
 */
public record Arguments(String command, String usage, List<String> positional, Set<String> flags,
        Map<String, String> options) {

    /** Copies the collections. */
    public Arguments {
        positional = List.copyOf(positional);
        flags = Set.copyOf(flags);
        options = Map.copyOf(options);
    }

    /**
     * Splits a command's arguments.
     *
     * @param command the command's words, for messages
     * @param usage its usage line, for messages
     * @param args the arguments
     * @param knownFlags the flags it takes
     * @param knownOptions the options with a value it takes
     * @return the arguments
     * @throws CliException (usage) for an unknown option or an option without its value
     */
    public static Arguments parse(String command, String usage, List<String> args, Set<String> knownFlags,
            Set<String> knownOptions) {
        List<String> positional = new ArrayList<>();
        Set<String> flags = new LinkedHashSet<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            if (knownFlags.contains(name) && equals < 0) {
                flags.add(name);
            } else if (knownOptions.contains(name)) {
                if (equals >= 0) {
                    options.put(name, arg.substring(equals + 1));
                } else if (i + 1 < args.size()) {
                    options.put(name, args.get(++i));
                } else {
                    throw CliException.usage(command + ": " + name + " needs a value; usage: " + command + " " + usage);
                }
            } else {
                throw CliException.usage(command + ": unknown option " + arg + "; usage: " + command + " " + usage);
            }
        }
        return new Arguments(command, usage, positional, flags, options);
    }

    /**
     * @param count how many positional words the command takes
     * @param what what they are, for the message (e.g. {@code a job id})
     * @return the positional words
     * @throws CliException (usage) when there are more or fewer
     */
    public List<String> exactly(int count, String what) {
        if (positional.size() != count) {
            throw CliException.usage(command + ": give " + what + "; usage: " + command + " " + usage);
        }
        return positional;
    }

    /**
     * @param max the most positional words the command takes
     * @param what what they are, for the message
     * @return the positional words
     * @throws CliException (usage) when there are more
     */
    public List<String> atMost(int max, String what) {
        if (positional.size() > max) {
            throw CliException.usage(command + ": give at most " + what + "; usage: " + command + " " + usage);
        }
        return positional;
    }

    /**
     * @param name a flag, e.g. {@code --json}
     * @return whether it was given
     */
    public boolean flag(String name) {
        return flags.contains(name);
    }

    /**
     * @param name an option, e.g. {@code --bootstrap}
     * @return its value, if it was given
     */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /**
     * An option holding a duration: seconds ({@code 90}, {@code 90s}), minutes ({@code 10m}) or hours
     * ({@code 2h}).
     *
     * @param name the option
     * @return the duration, if it was given
     * @throws CliException (usage) when the value is not a positive duration
     */
    public Optional<Duration> duration(String name) {
        return option(name).map(v -> parseDuration(name, v));
    }

    private Duration parseDuration(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("h") || v.endsWith("m") || v.endsWith("s")) {
            unit = v.endsWith("h") ? 3600 : v.endsWith("m") ? 60 : 1;
            v = v.substring(0, v.length() - 1);
        }
        try {
            long amount = Long.parseLong(v);
            if (amount > 0) {
                return Duration.ofSeconds(amount * unit);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage(command + ": " + name + " takes a positive duration such as 90, 90s, 10m or 2h, got '"
                + value + "'");
    }
}
