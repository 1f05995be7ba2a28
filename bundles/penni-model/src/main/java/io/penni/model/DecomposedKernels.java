package io.penni.model;

/**
 * The dense kernels a PENNI-decomposed convolution computes: {@code W[n,c] = Σ_j coefficients[n,c,j] · basis[j]}, in
 * double precision. One place for the ONNX export's dense form and the report's kernel pictures.
 */
public final class DecomposedKernels {

    private DecomposedKernels() {
    }

    /**
     * @param basis {@code [d, k·k]}
     * @param coefficients {@code [N·C, d]}
     * @param kernels N·C
     * @param bases d
     * @param taps k·k
     * @return {@code [N·C, k·k]}
     */
    public static double[] dense(float[] basis, float[] coefficients, int kernels, int bases, int taps) {
        double[] weight = new double[kernels * taps];
        for (int kernel = 0; kernel < kernels; kernel++) {
            for (int j = 0; j < bases; j++) {
                double c = coefficients[kernel * bases + j];
                if (c != 0) {
                    for (int i = 0; i < taps; i++) {
                        weight[kernel * taps + i] += c * basis[j * taps + i];
                    }
                }
            }
        }
        return weight;
    }
}
