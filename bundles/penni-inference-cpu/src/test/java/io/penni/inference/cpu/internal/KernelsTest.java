package io.penni.inference.cpu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The kernels of the fused decomposed path, of the compact form's gather and of the pooled store, each kernel set
 * against a plain scalar statement of what it computes: odd sizes, shifts, tiles of one and two units, rows shorter
 * than a vector.
 */
class KernelsTest {

    private static List<Kernels> sets() {
        List<Kernels> sets = new ArrayList<>(List.of(PlainKernels.INSTANCE));
        VectorSupport.kernels().ifPresent(sets::add);
        return sets;
    }

    /** @return n Gaussian values of a seeded generator (also {@link GemmBench}'s data) */
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void theVectorKernelsAreHereOnThisJvm() {
        // the engine runs with --add-modules jdk.incubator.vector; without it the tests below would test plain only
        assertEquals(2, sets().size());
    }

    @Test
    void theColumnsProductAddsOrOverwritesATileOfFourPositionsBySixtyFourChannels() {
        int cb = Kernels.COLUMN_BLOCK;
        int tile = Kernels.POSITION_TILE;
        for (Kernels k : sets()) {
            for (int depth : new int[] {1, 9, 128, 131}) {
                int wOff = 5 * cb;
                int aOff = 3 * tile;
                float[] w = random(wOff + depth * cb, depth);
                float[] a = random(aOff + depth * tile, depth + 1);
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] c = random(7 + tile * cb, 11);
                    float[] before = c.clone();
                    k.gemmColumns(w, wOff, depth, a, aOff, c, 7, accumulate);
                    for (int r = 0; r < tile; r++) {
                        for (int j = 0; j < cb; j++) {
                            double want = accumulate ? before[7 + r * cb + j] : 0;
                            for (int p = 0; p < depth; p++) {
                                want += a[aOff + p * tile + r] * w[wOff + p * cb + j];
                            }
                            assertEquals(want, c[7 + r * cb + j], 1e-4 * (1 + Math.abs(want)),
                                    k.name() + " depth " + depth + " accumulate " + accumulate + " (" + r + ", " + j
                                            + ")");
                        }
                    }
                    for (int i = 0; i < 7; i++) {
                        assertEquals(before[i], c[i], "nothing before the tile is written");
                    }
                }
            }
        }
    }

    @Test
    void shiftedMatrixProductReadsEveryRowOfBThatFarOn() {
        for (Kernels k : sets()) {
            for (int rows : new int[] {1, 2, 3, 4, 5, 6, 9}) {
                for (int len : new int[] {16, 27, 32, 54, 64, 70}) {
                    int depth = 9;
                    float[] a = random(rows * depth, rows);
                    float[] b = random(depth * 100 + len + 200, len);
                    int[] bRows = new int[depth];
                    for (int p = 0; p < depth; p++) {
                        bRows[p] = p * 100 + p % 3;
                    }
                    int shift = 37;
                    float[] c = new float[rows * len];
                    k.gemm(a, 0, depth, rows, depth, b, bRows, 0, shift, c, 0, len, len);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < len; j++) {
                            double want = 0;
                            for (int p = 0; p < depth; p++) {
                                want += a[i * depth + p] * b[bRows[p] + shift + j];
                            }
                            assertEquals(want, c[i * len + j], 1e-4, k.name() + " rows " + rows + " len " + len);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyBlockOfTheMatrixProductGivesTheScalarSumAndWritesNothingElse() {
        // unpacked and packed: the 8 × 3-vector block (five to eight rows of a block from its first, rows of 48+
        // values), the 4 × 2 block, one row, a block's rows from a later first, and the overlapping last chunk of
        // columns; c's rows are wider than len so that a stray store shows
        for (Kernels k : sets()) {
            for (int rows : new int[] {1, 2, 4, 5, 7, 8, 9, 12, 13, 17}) {
                for (int len : new int[] {15, 16, 17, 20, 31, 32, 33, 47, 48, 49, 54, 63, 64, 65, 96, 97, 150}) {
                    int depth = 21;
                    float[] a = random(3 + rows * depth, rows * 31L + len);
                    float[] b = random(depth * 40 + len + 64, len);
                    int[] bRows = new int[depth + 2];
                    for (int p = 0; p < bRows.length; p++) {
                        bRows[p] = ((p * 17) % depth) * 40 + p % 3;
                    }
                    String what = k.name() + " rows " + rows + " len " + len;
                    float[] c = product(rows, len, (cc, ldc) -> k.gemm(a, 3, depth, rows, depth, b, bRows, 2, cc, 2,
                            ldc, len));
                    check(c, a, b, bRows, 0, rows, depth, len, what);
                    float[] packed = Kernels.pack(a, 3, depth, rows, depth);
                    for (int first = 0; first < Math.min(rows, Kernels.PACK_ROWS); first += 3) {
                        int used = Math.min(rows, Kernels.PACK_ROWS) - first;
                        int f = first;
                        c = product(used, len, (cc, ldc) -> k.gemmPacked(packed, 0, f, used, depth, b, bRows, 2, cc,
                                2, ldc, len));
                        check(c, a, b, bRows, first, used, depth, len, what + " packed from " + first);
                    }
                    if (rows > Kernels.PACK_ROWS) {
                        int used = Math.min(rows - Kernels.PACK_ROWS, Kernels.PACK_ROWS);
                        c = product(used, len, (cc, ldc) -> k.gemmPacked(packed, Kernels.PACK_ROWS * depth, 0, used,
                                depth, b, bRows, 2, cc, 2, ldc, len));
                        check(c, a, b, bRows, Kernels.PACK_ROWS, used, depth, len, what + " second packed block");
                    }
                }
            }
        }
    }

    @Test
    void rowsShorterThanAVectorGiveTheScalarSumAndWriteNothingPastTheLastRowsSlack() {
        // 4 x 4 and 2 x 2 maps at batch 1: rows of 1 to 15 values one after another (ldc = len), one to six rows
        // (the vector kernel's blocks of four, a missing row dropped), a 3 x 3 kernel's nine taps
        for (Kernels k : sets()) {
            for (int len = 1; len < Kernels.ROW_SLACK; len++) {
                for (int rows = 1; rows <= 6; rows++) {
                    int depth = 9;
                    float[] a = random(3 + rows * depth, rows * 17L + len);
                    float[] b = random(depth * 20 + Kernels.ROW_SLACK + 2, len);
                    int[] bRows = new int[depth + 2];
                    for (int p = 0; p < bRows.length; p++) {
                        bRows[p] = ((p * 5) % depth) * 20 + p % 3;
                    }
                    float[] c = new float[2 + rows * len + Kernels.ROW_SLACK + 4];
                    java.util.Arrays.fill(c, Float.NaN);
                    k.gemm(a, 3, depth, rows, depth, b, bRows, 2, c, 2, len, len);
                    String what = k.name() + " rows " + rows + " len " + len;
                    assertTrue(Float.isNaN(c[0]) && Float.isNaN(c[1]), what + " wrote before c");
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < len; j++) {
                            double want = 0;
                            for (int p = 0; p < depth; p++) {
                                want += a[3 + i * depth + p] * b[bRows[2 + p] + j];
                            }
                            assertEquals(want, c[2 + i * len + j], 1e-4, what + " at " + i + "," + j);
                        }
                    }
                    int lastEnd = 2 + (rows - 1) * len + Kernels.ROW_SLACK;
                    for (int j = Math.max(lastEnd, 2 + rows * len); j < c.length; j++) {
                        assertTrue(Float.isNaN(c[j]), what + " wrote past the last row's slack at " + j);
                    }
                }
            }
        }
    }

    /** Runs a product into a fresh c of {@code rows} rows of {@code len + 5} values after two, all NaN. */
    private static float[] product(int rows, int len, java.util.function.ObjIntConsumer<float[]> run) {
        float[] c = new float[2 + rows * (len + 5)];
        java.util.Arrays.fill(c, Float.NaN);
        run.accept(c, len + 5);
        return c;
    }

    /** c's rows are a's rows {@code [first, first + rows)} times b, and nothing else of c is written. */
    private static void check(float[] c, float[] a, float[] b, int[] bRows, int first, int rows, int depth, int len,
            String what) {
        int ldc = len + 5;
        assertTrue(Float.isNaN(c[0]) && Float.isNaN(c[1]), what + " wrote before c");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < ldc; j++) {
                float got = c[2 + i * ldc + j];
                if (j >= len) {
                    // a row shorter than a vector may be written whole, up to ROW_SLACK values (Kernels#gemm)
                    assertTrue(Float.isNaN(got) || j < Kernels.ROW_SLACK, what + " wrote past row " + i);
                    continue;
                }
                double want = 0;
                for (int p = 0; p < depth; p++) {
                    want += a[3 + (first + i) * depth + p] * b[bRows[2 + p] + j];
                }
                assertEquals(want, got, 1e-4, what + " at " + i + "," + j);
            }
        }
    }

    @Test
    void sparseTileAddsBiasAndEachNonZeroTimesItsMapThenTheRelu() {
        for (Kernels k : sets()) {
            for (int len : new int[] {Kernels.TILE_UNIT, 2 * Kernels.TILE_UNIT}) {
                for (int nonZero : new int[] {0, 1, 2, 5, 7}) {
                    for (boolean relu : new boolean[] {false, true}) {
                        float[] maps = random(10 * len, len + nonZero);
                        float[] values = random(nonZero + 3, nonZero);
                        int[] offsets = new int[nonZero + 3];
                        for (int e = 0; e < offsets.length; e++) {
                            offsets[e] = ((e * 7) % 10) * len;
                        }
                        float[] acc = new float[len + 8];
                        acc[len + 2] = 42f;
                        k.sparseTile(values, offsets, 3, 3 + nonZero, maps, acc, 2, len, 0.25f, relu);
                        for (int j = 0; j < len; j++) {
                            double want = 0.25;
                            for (int e = 3; e < 3 + nonZero; e++) {
                                want += values[e] * maps[offsets[e] + j];
                            }
                            assertEquals(relu ? Math.max(0, want) : want, acc[2 + j], 1e-5, k.name() + " " + len);
                        }
                        assertEquals(0f, acc[0]);
                        assertEquals(42f, acc[len + 2], "nothing past the tile is written");
                    }
                }
            }
        }
    }

    @Test
    void sparseRowOfEveryLengthAddsBiasAndEachNonZeroTimesItsMapAndWritesNothingElse() {
        // every length from one value to past eight vectors: the plain tail, one and two vectors (even and odd
        // non-zeros apart), three and four (a 7 x 7 map's 54 or 63 values), the overlapping last block of four
        int channelStride = 700;
        int basisStride = 230;
        for (Kernels k : sets()) {
            for (int len = 1; len <= 140; len++) {
                for (int nonZero : new int[] {0, 1, 2, 3, 8}) {
                    boolean relu = (len + nonZero) % 2 == 0;
                    float[] m = random(4 * channelStride, len * 31L + nonZero);
                    float[] values = random(nonZero + 2, nonZero);
                    int[] maps = new int[nonZero + 2];
                    for (int e = 0; e < maps.length; e++) {
                        maps[e] = Kernels.map((e * 5 + len) % 4, (e * 3) % 3);
                    }
                    // room for a short row's slack (Kernels#ROW_SLACK), and NaN past it
                    float[] acc = new float[Math.max(len, Kernels.ROW_SLACK) + 9];
                    java.util.Arrays.fill(acc, Float.NaN);
                    k.sparseRow(values, maps, 2, 2 + nonZero, m, channelStride, basisStride, acc, 4, len, -0.25f,
                            relu);
                    for (int j = 0; j < acc.length; j++) {
                        String what = k.name() + " len " + len + " non-zeros " + nonZero + " at " + j;
                        if (j < 4 || j >= 4 + len) {
                            boolean slack = j >= 4 + len && j < 4 + Kernels.ROW_SLACK;
                            assertTrue(Float.isNaN(acc[j]) || slack, what + ": written outside the row");
                            continue;
                        }
                        double want = -0.25;
                        for (int e = 2; e < 2 + nonZero; e++) {
                            want += values[e] * m[Kernels.offset(maps[e], channelStride, basisStride) + j - 4];
                        }
                        assertEquals(relu ? Math.max(0, want) : want, acc[j], 1e-5, what);
                    }
                }
            }
        }
    }

    @Test
    void matrixVectorProductOfEveryShapeGivesEachRowsDotProductAndWritesNothingElse() {
        // blocks of four rows and the rows left over, inputs of whole double vectors, one more vector, a tail
        for (Kernels k : sets()) {
            for (int out : new int[] {1, 3, 4, 5, 8, 11}) {
                for (int in : new int[] {1, 15, 16, 17, 32, 47, 48, 50, 100}) {
                    float[] w = random(2 + out * in, out * 100L + in);
                    float[] x = random(3 + in, in);
                    float[] y = new float[out + 3];
                    java.util.Arrays.fill(y, Float.NaN);
                    k.matVec(w, 2, out, in, x, 3, y, 1);
                    assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[out + 1]), k.name() + " wrote outside y");
                    for (int o = 0; o < out; o++) {
                        double want = 0;
                        for (int i = 0; i < in; i++) {
                            want += w[2 + o * in + i] * x[3 + i];
                        }
                        assertEquals(want, y[1 + o], 1e-4, k.name() + " out " + out + " in " + in + " row " + o);
                    }
                }
            }
        }
    }

    @Test
    void pooledRowsOfEveryWidthTakeEachWindowsMaximumAndWriteNothingElse() {
        for (Kernels k : sets()) {
            for (int count = 1; count <= 21; count++) {
                int rowStride = 2 * count + 3;
                int pooled = 3;
                float[] a = random(2 * pooled * rowStride + 4, count);
                float[] out = new float[pooled * count + 2];
                out[0] = -7f;
                out[out.length - 1] = -9f;
                k.maxPool2Rows(a, 1, rowStride, pooled, out, 1, count);
                float[] want = new float[out.length];
                want[0] = -7f;
                want[out.length - 1] = -9f;
                for (int py = 0; py < pooled; py++) {
                    for (int x = 0; x < count; x++) {
                        int r0 = 1 + 2 * py * rowStride + 2 * x;
                        int r1 = r0 + rowStride;
                        want[1 + py * count + x] = Math.max(Math.max(a[r0], a[r0 + 1]), Math.max(a[r1], a[r1 + 1]));
                    }
                }
                assertArrayEquals(want, out, k.name() + " count " + count);
            }
        }
        assertTrue(Kernels.TILE_UNIT % 16 == 0, "a tile unit is whole 512-bit vectors");
    }

    @Test
    void gatheredValuesOfEveryLengthAreThoseTheIndexPicksAndNothingElseIsWritten() {
        // whole vectors and a tail, indices in any order, repeated, up to the source's last value
        for (Kernels k : sets()) {
            for (int len = 0; len <= 70; len++) {
                float[] src = random(90, len);
                int[] index = new int[len + 5];
                SplittableRandom r = new SplittableRandom(len);
                for (int i = 0; i < index.length; i++) {
                    index[i] = i % 7 == 3 ? src.length - 4 : r.nextInt(src.length - 3);
                }
                float[] dst = new float[len + 40];
                java.util.Arrays.fill(dst, Float.NaN);
                k.gather(src, 3, index, len, dst, 6);
                for (int i = 0; i < dst.length; i++) {
                    String what = k.name() + " len " + len + " at " + i;
                    if (i >= 6 && i < 6 + len) {
                        assertEquals(src[3 + index[i - 6]], dst[i], what);
                    } else {
                        assertTrue(Float.isNaN(dst[i]), what + ": written outside");
                    }
                }
            }
        }
    }

    @Test
    void copiedRowsOfEveryWidthAndStrideHoldTheirValuesAndNothingPastTheLastRowIsWritten() {
        for (Kernels k : sets()) {
            for (int step = 1; step <= 2; step++) {
                for (int len = 1; len <= 40; len++) {
                    for (int gap = 0; gap <= 3; gap++) {
                        for (int rows = 1; rows <= 4; rows++) {
                            int dstStride = len + gap;
                            int srcStride = step * len + 2;
                            // the source ends right after the last row's last value read: no vector may read past
                            float[] src = random(2 + (rows - 1) * srcStride + step * (len - 1) + 1, len * 31L + rows);
                            float[] dst = new float[3 + rows * dstStride + 40];
                            java.util.Arrays.fill(dst, -5f);
                            if (step == 1) {
                                k.copyRows(src, 2, srcStride, dst, 3, dstStride, rows, len);
                            } else {
                                k.copyRowsStride2(src, 2, srcStride, dst, 3, dstStride, rows, len);
                            }
                            String what = k.name() + " step " + step + " len " + len + " gap " + gap + " rows " + rows;
                            int end = 3 + (rows - 1) * dstStride + len;
                            for (int i = 0; i < dst.length; i++) {
                                int y = (i - 3) / Math.max(1, dstStride);
                                int j = (i - 3) - y * dstStride;
                                if (i >= 3 && i < end && j < len) {
                                    assertEquals(src[2 + y * srcStride + step * j], dst[i], what + " at row " + y
                                            + " value " + j);
                                } else if (i < 3 || i >= end) {
                                    assertEquals(-5f, dst[i], what + ": wrote outside the rows at " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void deinterleavedRowsHoldTheEvenAndOddValuesAndNothingIsWrittenAtOrPastEitherLimit() {
        // both column phases of a stride-2 input in one pass: lengths equal or one apart, into planes that lie side
        // by side; each plane's limit is its last row's start plus the stride (or less), and nothing may reach it
        for (Kernels k : sets()) {
            for (int evenLen = 1; evenLen <= 36; evenLen++) {
                for (int oddLen = evenLen - 1; oddLen <= evenLen + 1; oddLen++) {
                    for (int rows = 1; rows <= 3; rows++) {
                        if (oddLen < 1) {
                            continue;
                        }
                        int dstStride = Math.max(evenLen, oddLen) + 1;
                        int srcStride = 2 * Math.max(evenLen, oddLen) + 3;
                        float[] src = random(2 + (rows - 1) * srcStride + 2 * Math.max(evenLen, oddLen) + 1,
                                evenLen * 97L + oddLen * 7L + rows);
                        int evenOff = 3;
                        int evenLimit = evenOff + rows * dstStride;
                        int oddOff = evenLimit + 2;
                        int oddLimit = oddOff + (rows - 1) * dstStride + oddLen;
                        float[] dst = new float[oddLimit + 40];
                        java.util.Arrays.fill(dst, -5f);
                        k.copyRowsDeinterleaved(src, 2, srcStride, dst, evenOff, evenLen, evenLimit, oddOff, oddLen,
                                oddLimit, dstStride, rows);
                        String what = k.name() + " even " + evenLen + " odd " + oddLen + " rows " + rows;
                        for (int y = 0; y < rows; y++) {
                            for (int j = 0; j < evenLen; j++) {
                                assertEquals(src[2 + y * srcStride + 2 * j], dst[evenOff + y * dstStride + j],
                                        what + " even row " + y + " value " + j);
                            }
                            for (int j = 0; j < oddLen; j++) {
                                assertEquals(src[2 + y * srcStride + 2 * j + 1], dst[oddOff + y * dstStride + j],
                                        what + " odd row " + y + " value " + j);
                            }
                        }
                        for (int i = 0; i < dst.length; i++) {
                            if (i < evenOff || i >= evenLimit && i < oddOff || i >= oddLimit) {
                                assertEquals(-5f, dst[i], what + ": wrote outside the planes at " + i);
                            }
                        }
                    }
                }
            }
        }
    }
}
