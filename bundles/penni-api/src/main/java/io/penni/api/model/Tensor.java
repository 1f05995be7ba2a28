package io.penni.api.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float32 tensor in row-major order. The array is shared, not copied: treat it as read-only
 * unless you created it.
 *
 * @param shape the dimensions
 * @param data the values, {@code product(shape)} of them
 */
public record Tensor(int[] shape, float[] data) {

    /** Checks that the data fills the shape. */
    public Tensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        }
    }

    /**
     * A zero-filled tensor.
     *
     * @param shape the dimensions
     * @return the tensor
     */
    public static Tensor zeros(int... shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        return new Tensor(shape.clone(), new float[Math.toIntExact(size)]);
    }

    /** @return the number of values */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
