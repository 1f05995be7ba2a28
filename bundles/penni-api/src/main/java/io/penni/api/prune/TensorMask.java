package io.penni.api.prune;

import java.util.Arrays;
import java.util.Objects;

/**
 * Which values of a layer's tensor to keep.
 *
 * @param layer the layer's name
 * @param keep one entry per value, true to keep, in the tensor's row-major order
 */
public record TensorMask(String layer, boolean[] keep) {
    /** Checks the fields. */
    public TensorMask {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(keep, "keep");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorMask m && layer.equals(m.layer) && Arrays.equals(keep, m.keep);
    }

    @Override
    public int hashCode() {
        return 31 * layer.hashCode() + Arrays.hashCode(keep);
    }

    @Override
    public String toString() {
        int kept = 0;
        for (boolean k : keep) {
            if (k) {
                kept++;
            }
        }
        return "TensorMask[" + layer + " keeps " + kept + "/" + keep.length + "]";
    }
}
