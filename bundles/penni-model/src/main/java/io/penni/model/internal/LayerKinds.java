package io.penni.model.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.penni.api.model.Layer;

/**
 * The stable names of the layer types, as model files and reports spell them. A new layer type in the API
 * needs one line here, or files cannot hold it.
 */
public final class LayerKinds {

    private static final Map<String, Class<? extends Layer>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("input", Layer.Input.class);
        BY_NAME.put("conv2d", Layer.Conv2d.class);
        BY_NAME.put("decomposed_conv2d", Layer.DecomposedConv2d.class);
        BY_NAME.put("batch_norm", Layer.BatchNorm.class);
        BY_NAME.put("relu", Layer.Relu.class);
        BY_NAME.put("clipped_relu", Layer.ClippedRelu.class);
        BY_NAME.put("pool", Layer.Pool.class);
        BY_NAME.put("global_avg_pool", Layer.GlobalAvgPool.class);
        BY_NAME.put("add", Layer.Add.class);
        BY_NAME.put("flatten", Layer.Flatten.class);
        BY_NAME.put("linear", Layer.Linear.class);
        BY_NAME.put("dropout", Layer.Dropout.class);
    }

    private LayerKinds() {
    }

    /**
     * A layer's type name.
     *
     * @param layer the layer
     * @return e.g. {@code conv2d}
     */
    public static String name(Layer layer) {
        for (Map.Entry<String, Class<? extends Layer>> kind : BY_NAME.entrySet()) {
            if (kind.getValue() == layer.getClass()) {
                return kind.getKey();
            }
        }
        throw new IllegalStateException("no type name for " + layer.getClass().getName() + "; add it to LayerKinds");
    }

    /**
     * The layer type of a name.
     *
     * @param name e.g. {@code conv2d}
     * @return the record class, or empty for an unknown name
     */
    public static Optional<Class<? extends Layer>> type(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** @return every type name, comma-separated, for error messages */
    public static String known() {
        return String.join(", ", BY_NAME.keySet());
    }
}
