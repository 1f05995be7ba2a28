package io.penni.cli.internal;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import io.penni.api.artifact.ArtifactRef;

/**
 * Typed reads of an event's JSON data (a map of strings, numbers, booleans, lists and maps), tolerant of missing
 * or mistyped fields: the CLI shows what an event has and leaves out what it does not.
 *
 * @param values the event's data
 */
public record EventData(Map<String, Object> values) {

    /** Copies the map. */
    public EventData {
        values = Map.copyOf(values);
    }

    /**
     * @param key a field
     * @return its number, if it is one
     */
    public OptionalDouble number(String key) {
        Object v = values.get(key);
        if (v instanceof Number n) {
            return OptionalDouble.of(n.doubleValue());
        }
        // JSON has no NaN or infinity: Jackson writes them as strings, and a diverged loss must still show
        if ("NaN".equals(v) || "Infinity".equals(v) || "-Infinity".equals(v)) {
            return OptionalDouble.of(Double.parseDouble((String) v));
        }
        return OptionalDouble.empty();
    }

    /**
     * @param key a field
     * @return its whole number, or 0 when it is not a number
     */
    public long count(String key) {
        return values.get(key) instanceof Number n ? n.longValue() : 0;
    }

    /**
     * @param key a field
     * @return its text, if it is a non-empty string
     */
    public Optional<String> text(String key) {
        return values.get(key) instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    /**
     * @param key a field
     * @return its strings, when it is a list (other items as their text)
     */
    public List<String> texts(String key) {
        return values.get(key) instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    /**
     * @param key a field
     * @return the object it holds, empty when it is none
     */
    @SuppressWarnings("unchecked")
    public EventData object(String key) {
        return values.get(key) instanceof Map<?, ?> m ? new EventData((Map<String, Object>) m) : new EventData(Map.of());
    }

    /**
     * @param key a field holding {@code {uri, sha256, size}}
     * @return the artifact, if the field holds one
     */
    public Optional<ArtifactRef> artifact(String key) {
        EventData ref = object(key);
        Optional<String> uri = ref.text("uri");
        Optional<String> sha256 = ref.text("sha256");
        if (uri.isEmpty() || sha256.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ArtifactRef(URI.create(uri.get()), sha256.get(), Math.max(0, ref.count("size"))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
