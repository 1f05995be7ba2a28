package io.penni.decomposer.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method: rotations zero one off-diagonal
 * entry at a time until the off-diagonal mass vanishes. Slow for large matrices but simple and accurate to
 * working precision, which is what a k·k × k·k Gram matrix (81 × 81 for 9×9 kernels) needs.
 *
 * @param values the eigenvalues, largest first
 * @param vectors {@code vectors[i][j]}: component i of the eigenvector of {@code values[j]} (unit length, one
 *        per column)
 */
public record SymmetricEigen(double[] values, double[][] vectors) {

    private static final int MAX_SWEEPS = 100;

    /**
     * Decomposes a symmetric matrix.
     *
     * @param matrix a symmetric n×n matrix (only read)
     * @return its eigenvalues, largest first, with their eigenvectors
     */
    public static SymmetricEigen of(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        double[][] v = new double[n][n];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
            v[i][i] = 1;
            for (double x : a[i]) {
                scale += x * x;
            }
        }
        for (int sweep = 0; sweep < MAX_SWEEPS && offDiagonal(a) > scale * 1e-32; sweep++) {
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> a[i][i]).reversed());
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int j = 0; j < n; j++) {
            values[j] = a[order[j]][order[j]];
            for (int i = 0; i < n; i++) {
                vectors[i][j] = v[i][order[j]];
            }
        }
        return new SymmetricEigen(values, vectors);
    }

    private static double offDiagonal(double[][] a) {
        double sum = 0;
        for (int p = 0; p < a.length; p++) {
            for (int q = p + 1; q < a.length; q++) {
                sum += a[p][q] * a[p][q];
            }
        }
        return sum;
    }

    /** a ← Pᵀ·a·P and v ← v·P, with P the plane rotation in (p, q) that zeroes a[p][q]. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        // the smaller root of t² + 2θt − 1 = 0 keeps the rotation angle below π/4, which keeps it stable
        double t = Math.copySign(1.0, theta) / (Math.abs(theta) + Math.hypot(theta, 1.0));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {
            double kp = a[k][p];
            double kq = a[k][q];
            a[k][p] = c * kp - s * kq;
            a[k][q] = s * kp + c * kq;
        }
        for (int k = 0; k < n; k++) {
            double pk = a[p][k];
            double qk = a[q][k];
            a[p][k] = c * pk - s * qk;
            a[q][k] = s * pk + c * qk;
        }
        for (int k = 0; k < n; k++) {
            double kp = v[k][p];
            double kq = v[k][q];
            v[k][p] = c * kp - s * kq;
            v[k][q] = s * kp + c * kq;
        }
    }
}
