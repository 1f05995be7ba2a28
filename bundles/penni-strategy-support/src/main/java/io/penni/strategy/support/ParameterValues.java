package io.penni.strategy.support;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Parameters read and range-checked: the configured defaults with a request's overrides on top. A strategy's
 * settings are built from it by parameter, with the parameter's own type.
 */
public final class ParameterValues {

    private final Map<String, Object> values;
    private final Set<String> requested;

    ParameterValues(Map<String, Object> values, Set<String> requested) {
        this.values = values;
        this.requested = requested;
    }

    /**
     * @param <T> the parameter's type
     * @param parameter a parameter the strategy declared (not a family)
     * @return its value: the request's when it gave one, else the configured one
     */
    public <T> T get(Parameter<T> parameter) {
        if (parameter.isFamily() || !values.containsKey(parameter.name())) {
            throw new IllegalArgumentException("parameter " + parameter + " has no single value; was it declared?");
        }
        @SuppressWarnings("unchecked") // values hold what the parameter's own reader returned
        T value = (T) values.get(parameter.name());
        return value;
    }

    /**
     * @param <T> the family's type
     * @param family a family the strategy declared
     * @return the family's values by the name after its prefix, configured and requested, in name order
     */
    public <T> Map<String, T> each(Parameter<T> family) {
        Map<String, T> found = new TreeMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (family.isFamily() && family.matches(e.getKey())) {
                @SuppressWarnings("unchecked") // values hold what the family's own reader returned
                T value = (T) e.getValue();
                found.put(e.getKey().substring(family.name().length()), value);
            }
        }
        return Collections.unmodifiableMap(found);
    }

    /**
     * @param family a family the strategy declared
     * @return the names after its prefix that the request gave (not the configured ones), in name order
     */
    public Set<String> requested(Parameter<?> family) {
        Set<String> names = new TreeSet<>();
        for (String key : requested) {
            if (family.isFamily() && family.matches(key)) {
                names.add(key.substring(family.name().length()));
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
