package io.penni.inference.cpu.internal;

import java.util.Arrays;

/**
 * Kernels as plain loops. The inner loops are written as element-wise updates over contiguous ranges
 * ({@code c[j] += a · b[j]}) because that is the shape C2's superword pass turns into AVX instructions; a
 * dot product's float sum it does not vectorise (it keeps the order of additions), so {@link #matVec} keeps
 * four independent partial sums instead.
 */
public final class PlainKernels implements Kernels {

    /** The one instance. */
    public static final PlainKernels INSTANCE = new PlainKernels();

    private PlainKernels() {
    }

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void gemm(float[] a, int aOff, int lda, int rows, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int cOff, int ldc, int len) {
        product(a, aOff, lda, 1, rows, depth, b, bRows, bRowsOff, bShift, c, cOff, ldc, len);
    }

    @Override
    public void gemmColumns(float[] w, int wOff, int depth, float[] a, int aOff, float[] c, int cOff,
            boolean accumulate) {
        for (int r = 0; r < POSITION_TILE; r++) {
            int row = cOff + r * COLUMN_BLOCK;
            if (!accumulate) {
                Arrays.fill(c, row, row + COLUMN_BLOCK, 0f);
            }
            for (int p = 0; p < depth; p++) {
                float x = a[aOff + p * POSITION_TILE + r];
                int wp = wOff + p * COLUMN_BLOCK;
                for (int j = 0; j < COLUMN_BLOCK; j++) {
                    c[row + j] += x * w[wp + j];
                }
            }
        }
    }

    @Override
    public void gemmPacked(float[] packed, int block, int first, int rows, int depth, float[] b, int[] bRows,
            int bRowsOff, float[] c, int cOff, int ldc, int len) {
        product(packed, block + first, 1, PACK_ROWS, rows, depth, b, bRows, bRowsOff, 0, c, cOff, ldc, len);
    }

    /** The product with row i's value p of a at {@code aOff + i·rowStride + p·depthStride}. */
    private static void product(float[] a, int aOff, int rowStride, int depthStride, int rows, int depth, float[] b,
            int[] bRows, int bRowsOff, int bShift, float[] c, int cOff, int ldc, int len) {
        for (int i = 0; i < rows; i++) {
            int ci = cOff + i * ldc;
            Arrays.fill(c, ci, ci + len, 0f);
            int ai = aOff + i * rowStride;
            for (int p = 0; p < depth; p++) {
                float s = a[ai + p * depthStride];
                if (s == 0f) {
                    continue;
                }
                int bi = bRows[bRowsOff + p] + bShift;
                for (int j = 0; j < len; j++) {
                    c[ci + j] += s * b[bi + j];
                }
            }
        }
    }

    @Override
    public void sparseRow(float[] values, int[] maps, int start, int end, float[] m, int channelStride,
            int basisStride, float[] acc, int accOff, int len, float bias, boolean relu) {
        Arrays.fill(acc, accOff, accOff + len, bias);
        int e = start;
        // four maps per pass: one load and store of the accumulator per four multiply-adds
        for (; e + 4 <= end; e += 4) {
            float v0 = values[e];
            float v1 = values[e + 1];
            float v2 = values[e + 2];
            float v3 = values[e + 3];
            int r0 = Kernels.offset(maps[e], channelStride, basisStride);
            int r1 = Kernels.offset(maps[e + 1], channelStride, basisStride);
            int r2 = Kernels.offset(maps[e + 2], channelStride, basisStride);
            int r3 = Kernels.offset(maps[e + 3], channelStride, basisStride);
            for (int j = 0; j < len; j++) {
                acc[accOff + j] += v0 * m[r0 + j] + v1 * m[r1 + j] + v2 * m[r2 + j] + v3 * m[r3 + j];
            }
        }
        for (; e < end; e++) {
            float v = values[e];
            int r = Kernels.offset(maps[e], channelStride, basisStride);
            for (int j = 0; j < len; j++) {
                acc[accOff + j] += v * m[r + j];
            }
        }
        if (relu) {
            for (int j = 0; j < len; j++) {
                acc[accOff + j] = Math.max(0f, acc[accOff + j]);
            }
        }
    }

    @Override
    public void sparseTile(float[] values, int[] offsets, int start, int end, float[] maps, float[] acc, int accOff,
            int len, float bias, boolean relu) {
        Arrays.fill(acc, accOff, accOff + len, bias);
        for (int e = start; e < end; e++) {
            float v = values[e];
            int r = offsets[e];
            for (int j = 0; j < len; j++) {
                acc[accOff + j] += v * maps[r + j];
            }
        }
        if (relu) {
            for (int j = 0; j < len; j++) {
                acc[accOff + j] = Math.max(0f, acc[accOff + j]);
            }
        }
    }

    @Override
    public void matVec(float[] w, int wOff, int out, int in, float[] x, int xOff, float[] y, int yOff) {
        for (int o = 0; o < out; o++) {
            int wo = wOff + o * in;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int i = 0;
            for (; i + 4 <= in; i += 4) {
                s0 += w[wo + i] * x[xOff + i];
                s1 += w[wo + i + 1] * x[xOff + i + 1];
                s2 += w[wo + i + 2] * x[xOff + i + 2];
                s3 += w[wo + i + 3] * x[xOff + i + 3];
            }
            for (; i < in; i++) {
                s0 += w[wo + i] * x[xOff + i];
            }
            y[yOff + o] = (s0 + s1) + (s2 + s3);
        }
    }

    @Override
    public void bias(float[] acc, int off, int len, float bias, boolean relu) {
        if (relu) {
            for (int j = off; j < off + len; j++) {
                acc[j] = Math.max(0f, acc[j] + bias);
            }
        } else {
            for (int j = off; j < off + len; j++) {
                acc[j] += bias;
            }
        }
    }

    @Override
    public void addInto(float[] acc, int accOff, float[] out, int outOff, int len, boolean relu) {
        for (int j = 0; j < len; j++) {
            float v = out[outOff + j] + acc[accOff + j];
            out[outOff + j] = relu ? Math.max(0f, v) : v;
        }
    }
}
