package io.penni.model;

import java.util.Objects;

/**
 * One convolution's row of a {@link CompressionReport}, as in the PENNI paper's appendix tables: its shape and
 * coefficients before and after shrinking. For a dense convolution (a 1×1 one, which PENNI keeps dense) the
 * basis count is 0 and its weights stand in for coefficients.
 *
 * @param name the layer's name
 * @param kernel its kernel size k (k×k)
 * @param widthBefore output channels before shrinking
 * @param widthAfter output channels after shrinking
 * @param basesBefore basis kernels before shrinking
 * @param basesAfter basis kernels after shrinking
 * @param nonZeroBefore non-zero coefficients before shrinking (after pruning)
 * @param nonZeroAfter non-zero coefficients after shrinking
 * @param totalBefore coefficients before shrinking, N·C·d
 * @param totalAfter coefficients after shrinking
 */
public record LayerRow(String name, int kernel, int widthBefore, int widthAfter, int basesBefore, int basesAfter,
        long nonZeroBefore, long nonZeroAfter, long totalBefore, long totalAfter) {

    /** Checks the fields. */
    public LayerRow {
        Objects.requireNonNull(name, "name");
    }

    /** @return the percentage of zero coefficients before shrinking */
    public double sparsityBefore() {
        return percentZero(nonZeroBefore, totalBefore);
    }

    /** @return the percentage of zero coefficients after shrinking */
    public double sparsityAfter() {
        return percentZero(nonZeroAfter, totalAfter);
    }

    static double percentZero(long nonZero, long total) {
        return total == 0 ? 0 : 100.0 * (total - nonZero) / total;
    }
}
