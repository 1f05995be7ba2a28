package io.penni.inference.cpu.internal;

/**
 * The inner loops every layer spends its time in, in two implementations whose speed the engine measures
 * per layer: {@link PlainKernels} (loops C2 vectorises by itself) and {@link VectorKernels} (the JDK Vector API,
 * register-blocked), the latter only where the JVM has {@code jdk.incubator.vector}.
 */
public interface Kernels {

    /** @return a short name for reports, e.g. {@code vector-512} */
    String name();

    /**
     * A matrix product whose right-hand rows lie anywhere in one array: for {@code i < rows, j < len},
     * {@code c[cOff + i·ldc + j] = Σ_p a[aOff + i·lda + p] · b[bRows[bRowsOff + p] + j]}, {@code p < depth}.
     * Shifted rows of a padded image are the rows of a convolution's im2col matrix, so a stride-1 convolution
     * needs no im2col copy.
     *
     * @param a left matrix
     * @param aOff its first element
     * @param lda its row stride
     * @param rows rows of a and c
     * @param depth columns of a, rows of b
     * @param b the array holding b's rows
     * @param bRows where each of b's rows starts
     * @param bRowsOff the first entry of bRows used
     * @param c the result (overwritten)
     * @param cOff its first element
     * @param ldc its row stride
     * @param len columns of b and c
     */
    void gemm(float[] a, int aOff, int lda, int rows, int depth, float[] b, int[] bRows, int bRowsOff, float[] c,
            int cOff, int ldc, int len);

    /**
     * One output row of a sparse 1×1 convolution: {@code acc[accOff + j] = Σ_e values[e] · m[maps[e]·stride + j]}
     * for {@code start <= e < end}, {@code j < len}.
     *
     * @param values the row's non-zero coefficients
     * @param maps which map each coefficient multiplies
     * @param start first entry
     * @param end one past the last entry
     * @param m the maps
     * @param stride floats from one map to the next
     * @param acc the result (overwritten)
     * @param accOff its first element
     * @param len values per map
     */
    void sparseRow(float[] values, int[] maps, int start, int end, float[] m, int stride, float[] acc, int accOff,
            int len);

    /**
     * A matrix-vector product {@code y[yOff + o] = Σ_i w[wOff + o·in + i] · x[xOff + i]}.
     *
     * @param w weight {@code [rows, in]}
     * @param wOff the first element of the first row used
     * @param out rows
     * @param in columns
     * @param x the vector's array
     * @param xOff its first element
     * @param y the result's array (overwritten)
     * @param yOff its first element
     */
    void matVec(float[] w, int wOff, int out, int in, float[] x, int xOff, float[] y, int yOff);
}
