package io.penni.api.prune;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor a strategy may prune, with what a strategy may want to know of its layer. Arrays are shared:
 * strategies must not write to them.
 *
 * @param layer the layer's name
 * @param kind what the tensor is
 * @param position the layer's index among prunable layers in network order, from 0
 * @param shape the tensor's shape
 * @param values the tensor's values (the scores to prune by)
 * @param previousMask which values are still kept (true) before this pruning; pruned values stay pruned
 * @param basisNorms for {@link TensorKind#COEFFICIENTS}: the L2 norm of each of the d basis kernels; else empty
 */
public record PrunableTensor(String layer, TensorKind kind, int position, int[] shape, float[] values,
        boolean[] previousMask, float[] basisNorms) {

    /** Checks that values and mask fill the shape. */
    public PrunableTensor {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(basisNorms, "basisNorms");
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        if (values.length != size || previousMask.length != size) {
            throw new IllegalArgumentException("tensor " + layer + ": shape " + Arrays.toString(shape) + " needs "
                    + size + " values and mask entries, got " + values.length + " and " + previousMask.length);
        }
    }

    /** @return how many values the previous mask keeps */
    public int kept() {
        int n = 0;
        for (boolean k : previousMask) {
            if (k) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrunableTensor t && layer.equals(t.layer) && kind == t.kind && position == t.position
                && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values)
                && Arrays.equals(previousMask, t.previousMask) && Arrays.equals(basisNorms, t.basisNorms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, kind, position, Arrays.hashCode(shape), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "PrunableTensor[" + layer + " " + kind + " " + Arrays.toString(shape) + "]";
    }
}
