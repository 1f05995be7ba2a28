package io.penni.model;

import java.util.Arrays;
import java.util.Objects;

import io.penni.api.model.Tensor;

/**
 * A tensor as a safetensors file holds it, of one of the {@link DType}s. Arrays are shared, not copied.
 */
public sealed interface StoredTensor {

    /** @return the element type */
    DType dtype();

    /** @return the dimensions */
    int[] shape();

    /**
     * Float32 values.
     *
     * @param tensor the values with their shape
     */
    record F32(Tensor tensor) implements StoredTensor {
        /** Checks the fields. */
        public F32 {
            Objects.requireNonNull(tensor, "tensor");
        }

        @Override
        public DType dtype() {
            return DType.F32;
        }

        @Override
        public int[] shape() {
            return tensor.shape();
        }
    }

    /**
     * Unsigned bytes; Java's signed {@code byte} holds them, read them with {@code Byte.toUnsignedInt}.
     *
     * @param shape the dimensions
     * @param values the bytes, row-major
     */
    record U8(int[] shape, byte[] values) implements StoredTensor {
        /** Checks that the values fill the shape. */
        public U8 {
            checkSize(shape, values.length);
        }

        @Override
        public DType dtype() {
            return DType.U8;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof U8 t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "U8" + Arrays.toString(shape);
        }
    }

    /**
     * Booleans, e.g. a pruning mask (true: kept).
     *
     * @param shape the dimensions
     * @param values the booleans, row-major
     */
    record Bool(int[] shape, boolean[] values) implements StoredTensor {
        /** Checks that the values fill the shape. */
        public Bool {
            checkSize(shape, values.length);
        }

        @Override
        public DType dtype() {
            return DType.BOOL;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bool t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "BOOL" + Arrays.toString(shape);
        }
    }

    private static void checkSize(int[] shape, int length) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + length);
        }
    }
}
