package io.penni.pruner;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.penni.model.StoredTensor;

/**
 * Keep-masks of a model's parameters, each named like the parameter it masks ({@code conv2.coefficients},
 * {@code bn2.gamma}) and shaped like it; true keeps a value, false holds it at zero. A parameter without a mask
 * is not masked.
 *
 * @param masks the masks by parameter name (sorted by name; the arrays are shared, treat them as read-only)
 */
public record ParameterMasks(Map<String, StoredTensor.Bool> masks) {

    /** Copies the map. */
    public ParameterMasks {
        masks = Collections.unmodifiableMap(new TreeMap<>(masks));
    }

    /** @return no masks at all */
    public static ParameterMasks none() {
        return new ParameterMasks(Map.of());
    }

    /**
     * A parameter's mask.
     *
     * @param parameter the parameter's full name
     * @return its keep flags, or empty when it is not masked
     */
    public Optional<boolean[]> keep(String parameter) {
        return Optional.ofNullable(masks.get(parameter)).map(StoredTensor.Bool::values);
    }
}
