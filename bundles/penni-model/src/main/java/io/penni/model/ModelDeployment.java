package io.penni.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a served model version's {@value ModelRepositoryFolder#DEPLOYMENT} asks of the server beyond the model itself:
 * the backend that runs it and its own batching and overload limits, each absent where the serving configuration's
 * applies, and where the model came from ({@code source}, only reported). One definition of the keys and their
 * bounds for everyone who writes or reads the file: {@code bin/penni deploy}, a job's {@code deploy} field, the
 * serving repository.
 *
 * @param backend the backend's {@code penni.backend} name, if not the configured one
 * @param limits the numeric settings present, by key ({@link #LIMITS})
 * @param source where the model came from (a job id, a file), if said
 */
public record ModelDeployment(Optional<String> backend, Map<String, Long> limits, Optional<String> source) {

    /** A numeric setting: its key in the file (and a request's {@code deploy}), its bounds, what it means. */
    public record Limit(String key, long min, long max, String meaning) {

        /** @return the command-line option that sets it, e.g. {@code --max-batch} */
        public String option() {
            return "--" + key.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Images one batch holds at most. */
    public static final String MAX_BATCH = "maxBatch";
    /** How long a batch waits for more requests, in microseconds. */
    public static final String MAX_QUEUE_DELAY_MICROS = "maxQueueDelayMicros";
    /** Requests that may wait for the model at most; one more is answered 503. */
    public static final String QUEUE_CAPACITY = "queueCapacity";
    /** How long a request may wait for its answer, queue and compute together, in milliseconds; then 504. */
    public static final String REQUEST_TIMEOUT_MILLIS = "requestTimeoutMillis";

    /** Every numeric setting, in the order they are documented. */
    public static final List<Limit> LIMITS = List.of(
            new Limit(MAX_BATCH, 1, 4096, "images one batch holds at most"),
            new Limit(MAX_QUEUE_DELAY_MICROS, 0, 10_000_000, "how long a batch waits for more requests (µs)"),
            new Limit(QUEUE_CAPACITY, 1, 1_000_000, "requests that wait at most; one more is answered 503"),
            new Limit(REQUEST_TIMEOUT_MILLIS, 1, 3_600_000,
                    "how long a request may wait for its answer (ms); then 504"));

    /** No overrides. */
    public static final ModelDeployment NONE = new ModelDeployment(Optional.empty(), Map.of(), Optional.empty());

    /** What a backend name may look like. */
    public static final Pattern BACKEND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private static final String FILE = ModelRepositoryFolder.DEPLOYMENT;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 64 * 1024;

    /** Checks the fields: a backend name, known keys within their bounds. */
    public ModelDeployment {
        backend.ifPresent(b -> {
            if (!BACKEND.matcher(b).matches()) {
                throw new IllegalArgumentException("backend '" + b + "' is not a backend name");
            }
        });
        Map<String, Long> copy = new LinkedHashMap<>();
        for (Limit limit : LIMITS) {
            Long v = limits.get(limit.key());
            if (v != null) {
                if (v < limit.min() || v > limit.max()) {
                    throw new IllegalArgumentException(outOfRange(limit, v.toString()));
                }
                copy.put(limit.key(), v);
            }
        }
        limits.keySet().stream().filter(k -> !copy.containsKey(k)).findFirst().ifPresent(k -> {
            throw new IllegalArgumentException("unknown key '" + k + "' (known: " + known() + ")");
        });
        limits = java.util.Collections.unmodifiableMap(copy);
        source = source == null ? Optional.empty() : source;
    }

    /**
     * @param key one of {@link #LIMITS}' keys
     * @return its value, when the deployment sets it
     */
    public OptionalLong limit(String key) {
        Long v = limits.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** @return the file's content: backend, the limits set, source */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        backend.ifPresent(b -> m.put("backend", b));
        m.putAll(limits);
        source.ifPresent(s -> m.put("source", s));
        return m;
    }

    /**
     * @param limit a setting
     * @param value what was given
     * @return the message for a value out of its bounds
     */
    public static String outOfRange(Limit limit, String value) {
        return limit.key() + " must be a whole number from " + limit.min() + " to " + limit.max() + ", was " + value;
    }

    /**
     * Reads a version folder's deployment file.
     *
     * @param folder the version folder
     * @return its settings, {@link #NONE} when it has no such file
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    public static ModelDeployment read(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(FILE + " is larger than " + MAX_BYTES + " bytes");
            }
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(FILE + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Parses a deployment file's text.
     *
     * @param text the JSON
     * @return its settings
     * @throws IllegalArgumentException saying what is wrong, prefixed with the file's name
     */
    public static ModelDeployment parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(FILE + " is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(FILE + " must hold a JSON object");
        }
        try {
            return of(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FILE + ": " + e.getMessage());
        }
    }

    /**
     * The deployment a JSON object asks for (a deployment file's, or a request's {@code deploy} with its
     * {@code name} left out).
     *
     * @param object the object
     * @return its settings
     * @throws IllegalArgumentException naming the key and what is wrong with it
     */
    public static ModelDeployment of(JsonNode object) {
        Map<String, Long> limits = new LinkedHashMap<>();
        for (Iterator<String> names = object.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!name.equals("backend") && !name.equals("source")
                    && LIMITS.stream().noneMatch(l -> l.key().equals(name))) {
                throw new IllegalArgumentException("unknown key '" + name + "' (known: " + known() + ")");
            }
        }
        for (Limit limit : LIMITS) {
            JsonNode node = object.get(limit.key());
            if (node != null && !node.isNull()) {
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw new IllegalArgumentException(outOfRange(limit, node.toString()));
                }
                limits.put(limit.key(), node.asLong());
            }
        }
        return new ModelDeployment(text(object, "backend"), limits, text(object, "source"));
    }

    private static String known() {
        return "backend, " + LIMITS.stream().map(Limit::key).collect(Collectors.joining(", ")) + ", source";
    }

    private static Optional<String> text(JsonNode root, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(key + " must be a string");
        }
        return Optional.of(node.asText());
    }
}
