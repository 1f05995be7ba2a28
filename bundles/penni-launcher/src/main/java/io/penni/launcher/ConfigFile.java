package io.penni.launcher;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * One {@code .cfg} file of {@code runtime-config/} (java.util.Properties syntax, as FileInstall reads it),
 * with typed getters whose errors name the file and the key.
 */
final class ConfigFile {

    /** What a message says of a value that is not a port. */
    static final String NOT_A_PORT = "is not a TCP port (1-65535)";
    /** What a message says of a value that is not a host. */
    static final String NOT_A_HOST = "is not a host name or address this machine can resolve";

    private final Path file;
    private final String displayName;
    private final Map<String, String> values;

    private ConfigFile(Path file, String displayName, Map<String, String> values) {
        this.file = file;
        this.displayName = displayName;
        this.values = values;
    }

    /**
     * Reads a file; a missing file reads as empty, so every key falls back to its default.
     *
     * @param file the file
     * @param displayName how messages name it (relative to the base folder)
     * @return the values
     */
    static ConfigFile read(Path file, String displayName) {
        Map<String, String> values = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new LaunchException(LaunchException.CONFIG, displayName + ": cannot read: " + e.getMessage());
            }
            for (String key : properties.stringPropertyNames()) {
                values.put(key, properties.getProperty(key).trim());
            }
        }
        return new ConfigFile(file, displayName, values);
    }

    /** @return the file's path */
    Path path() {
        return file;
    }

    /** @return how messages name the file */
    String displayName() {
        return displayName;
    }

    /** @return every key and value in the file */
    Map<String, String> values() {
        return values;
    }

    Optional<String> get(String key) {
        String value = values.get(key);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    String get(String key, String fallback) {
        return get(key).orElse(fallback);
    }

    int port(String key, int fallback) {
        Optional<String> text = get(key);
        if (text.isEmpty()) {
            return fallback;
        }
        return parsePort(text.get()).orElseThrow(() -> problem(key, text.get(), NOT_A_PORT));
    }

    String host(String key, String fallback) {
        String host = get(key, fallback);
        if (!resolves(host)) {
            throw problem(key, host, NOT_A_HOST);
        }
        return host;
    }

    /**
     * Reads a port number; shared with the environment variables that override the files.
     *
     * @param text the value as written
     * @return the port, if the text is a number from 1 to 65535
     */
    static Optional<Integer> parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * @param host a host name or address
     * @return whether this machine can resolve it
     */
    static boolean resolves(String host) {
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    long bytes(String key, long fallback) {
        Optional<String> text = get(key);
        if (text.isEmpty()) {
            return fallback;
        }
        String t = text.get().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if ("kmgt".indexOf(last) >= 0) {
            unit = 1L << (10 * ("kmgt".indexOf(last) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n >= 0) {
                return n * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw problem(key, text.get(), "is not a size (a number of bytes with an optional k, m, g or t)");
    }

    LaunchException problem(String key, String value, String what) {
        return new LaunchException(LaunchException.CONFIG, displayName + ": " + key + "=" + value + " " + what);
    }
}
