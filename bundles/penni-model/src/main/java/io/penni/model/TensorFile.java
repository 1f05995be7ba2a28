package io.penni.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file.
 *
 * @param tensors the tensors by name, in file order (the writer keeps this order)
 * @param metadata the header's {@code __metadata__} strings (empty for none)
 */
public record TensorFile(Map<String, StoredTensor> tensors, Map<String, String> metadata) {

    /** Copies the maps, keeping the tensors' order. */
    public TensorFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
