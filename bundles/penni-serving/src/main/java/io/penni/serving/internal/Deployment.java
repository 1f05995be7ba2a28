package io.penni.serving.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a version folder's optional {@value #FILE} asks of the server beyond the model itself: the backend that
 * runs it (instead of the configured one) and its own batching, each absent where the configuration's applies.
 * {@code bin/penni deploy --backend} writes it; a person may too. It may also say where the model came from
 * ({@code source}), which the server only reports.
 *
 * @param backend the backend's {@code penni.backend} name, if not the configured one
 * @param maxBatch images a batch holds at most, if not the configured number
 * @param maxQueueDelayMicros how long a batch waits for more requests, if not the configured delay
 * @param source where the model came from (a job id, a file), if said
 */
record Deployment(Optional<String> backend, OptionalInt maxBatch, OptionalLong maxQueueDelayMicros,
        Optional<String> source) {

    /** The file's name in a version folder. */
    static final String FILE = "deployment.json";
    /** No overrides. */
    static final Deployment NONE = new Deployment(Optional.empty(), OptionalInt.empty(), OptionalLong.empty(),
            Optional.empty());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("backend", "maxBatch", "maxQueueDelayMicros", "source");
    private static final int MAX_BATCH = 4096;
    private static final long MAX_DELAY_MICROS = 10_000_000;
    private static final long MAX_BYTES = 64 * 1024;

    /**
     * Reads a version folder's deployment file.
     *
     * @param folder the version folder
     * @return its settings, {@link #NONE} when it has no such file
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    static Deployment read(Path folder) {
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
     * @throws IllegalArgumentException saying what is wrong
     */
    static Deployment parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(FILE + " is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(FILE + " must hold a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw new IllegalArgumentException(FILE + ": unknown key '" + name + "' (known: backend, maxBatch, "
                        + "maxQueueDelayMicros, source)");
            }
        }
        Optional<String> backend = text(root, "backend");
        if (backend.isPresent() && !backend.get().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException(FILE + ": backend '" + backend.get() + "' is not a backend name");
        }
        OptionalLong batch = whole(root, "maxBatch", 1, MAX_BATCH);
        return new Deployment(backend, batch.isPresent() ? OptionalInt.of((int) batch.getAsLong())
                : OptionalInt.empty(), whole(root, "maxQueueDelayMicros", 0, MAX_DELAY_MICROS), text(root, "source"));
    }

    /**
     * The batching of a version deployed with these settings.
     *
     * @param configured the configuration's batching
     * @return the configured batching with this file's overrides
     */
    BatchSettings applyTo(BatchSettings configured) {
        return new BatchSettings(maxBatch.orElse(configured.maxBatch()),
                maxQueueDelayMicros.isPresent() ? java.time.Duration.ofNanos(maxQueueDelayMicros.getAsLong() * 1000)
                        : configured.maxDelay(), configured.queueCapacity(), configured.timeout());
    }

    private static Optional<String> text(JsonNode root, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(FILE + ": " + key + " must be a string");
        }
        return Optional.of(node.asText());
    }

    private static OptionalLong whole(JsonNode root, String key, long min, long max) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw new IllegalArgumentException(FILE + ": " + key + " must be a whole number from " + min + " to "
                    + max + ", was " + node);
        }
        return OptionalLong.of(node.asLong());
    }
}
