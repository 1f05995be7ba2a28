package io.penni.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as a safetensors header describes it, checked against the file before any data is read.
 *
 * @param name the tensor's name
 * @param dtype its element type
 * @param shape its dimensions
 * @param begin first byte of its data, counted from the start of the data section
 * @param end one past its last byte
 */
public record TensorEntry(String name, DType dtype, int[] shape, long begin, long end) {

    /** Checks the fields. */
    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** @return the number of elements */
    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** @return a copy of the dimensions */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorEntry e && name.equals(e.name) && dtype == e.dtype
                && Arrays.equals(shape, e.shape) && begin == e.begin && end == e.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
