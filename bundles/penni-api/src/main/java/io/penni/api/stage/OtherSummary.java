package io.penni.api.stage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a third-party stage reports when none of the built-in kinds fits: its figures by name. The only open map of
 * the family; built-in stages never use it.
 *
 * @param figures JSON-compatible values (numbers, strings, booleans, lists and maps of them), by name; not
 *            {@value #RESERVED}, which names the kind of summary where it is stored
 */
public record OtherSummary(Map<String, Object> figures) implements StageSummary {

    /** An empty summary. */
    public static final OtherSummary EMPTY = new OtherSummary(Map.of());

    /** The one figure name a stage may not use. */
    public static final String RESERVED = "kind";

    /** Checks the names and copies the map. */
    public OtherSummary {
        if (figures.containsKey(RESERVED)) {
            throw new IllegalArgumentException("a stage summary's figure may not be named '" + RESERVED + "'");
        }
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures)); // keeps the stage's order
    }

    @Override
    public Map<String, Object> headline() {
        Map<String, Object> h = new LinkedHashMap<>();
        figures.forEach((k, v) -> {
            if (!(v instanceof List<?>) && !(v instanceof Map<?, ?>)) {
                h.put(k, v);
            }
        });
        return h;
    }
}
