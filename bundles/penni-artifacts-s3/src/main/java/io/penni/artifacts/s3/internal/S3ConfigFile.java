package io.penni.artifacts.s3.internal;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The S3 store's configuration file, {@code runtime-config/penni.artifacts.s3.cfg}, read outside the framework: by
 * bin/penni's command line, which runs on a plain class path on any host and reads jobs' artifacts from the bucket
 * itself. The file is the server's, read as FileInstall and Declarative Services give it to
 * {@link S3ArtifactStoreComponent}: the same keys, each attribute's default from the component's
 * {@link S3ArtifactStoreComponent.Config} (one list of keys and defaults, not two), credentials from the file or
 * the environment; and the store it opens is the server's own {@link S3ArtifactStore} with the server's client.
 */
public final class S3ConfigFile {

    /** The file's name in {@code runtime-config/}. */
    public static final String NAME = S3ArtifactStoreComponent.PID + ".cfg";

    private S3ConfigFile() {
    }

    /**
     * Opens the store a configuration file describes.
     *
     * @param file the file
     * @param env the environment, for credentials the file leaves empty (a variable's value, or null)
     * @param var the {@code var/} folder the file's {@code local} is relative to (the command line only streams
     *        objects: it writes nothing there)
     * @return the store; its client is closed with it
     * @throws IllegalArgumentException when the file cannot be read, a value is not of its attribute's type, it
     *         names no bucket, or there are no credentials; the message names the file and the key, never a secret
     */
    public static S3ArtifactStore open(Path file, Function<String, String> env, Path var) {
        S3ArtifactStoreComponent.Config config = read(file);
        S3Clients.Settings settings = S3Clients.settings(config, env);
        return new S3ArtifactStore(S3Clients.build(settings), config.bucket(), config.prefix(),
                var.resolve(config.local()), S3Clients.partSize(config));
    }

    /**
     * Reads a configuration file.
     *
     * @param file the file (java.util.Properties syntax, as FileInstall reads {@code .cfg} files)
     * @return the configuration, as the component would get it
     * @throws IllegalArgumentException when it cannot be read or a value does not fit
     */
    static S3ArtifactStoreComponent.Config read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": cannot read it: " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
        return config(values, file.toString());
    }

    /**
     * The configuration of some values, typed and defaulted as Declarative Services does for the component.
     *
     * @param values the keys and values
     * @param source where they came from, for messages
     * @return the configuration
     * @throws IllegalArgumentException when a value does not fit its attribute, or a required one is missing
     */
    static S3ArtifactStoreComponent.Config config(Map<String, String> values, String source) {
        Class<S3ArtifactStoreComponent.Config> type = S3ArtifactStoreComponent.Config.class;
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            attributes.put(m.getName(), value(m, values.get(m.getName()), source));
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) ->
            switch (m.getName()) {
                case "annotationType" -> type;
                case "toString" -> S3ArtifactStoreComponent.PID + " from " + source; // never the values: a secret
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> attributes.get(m.getName());
            }));
    }

    private static Object value(Method attribute, String value, String source) {
        String key = attribute.getName();
        if (value == null) {
            Object fallback = attribute.getDefaultValue();
            if (fallback == null) {
                throw new IllegalArgumentException(source + ": no " + key + "; it has no default");
            }
            return fallback;
        }
        Class<?> type = attribute.getReturnType();
        if (type == String.class) {
            return value;
        }
        if (type == boolean.class) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(source + ": " + key + " must be true or false, was '"
                        + value + "'");
            };
        }
        if (type == int.class) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": " + key + " must be a whole number, was '" + value
                        + "'");
            }
        }
        throw new IllegalStateException("attribute " + key + " has a type this reader does not know: " + type);
    }
}
