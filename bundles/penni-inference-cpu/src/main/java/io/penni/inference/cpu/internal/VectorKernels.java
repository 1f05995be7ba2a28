package io.penni.inference.cpu.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the JDK Vector API ({@code jdk.incubator.vector}), at the machine's widest float vector. The
 * matrix product on a packed left matrix keeps an 8-row × 3-vector block of results in registers across the
 * whole depth, so every loaded vector of b feeds eight fused multiply-adds and c is written once; an unpacked
 * one, rows too short for three vectors and a block's last few rows take a 4-row × 2-vector block. Plain loops
 * cannot express that register blocking. No masked loads or stores: JDK 17 runs them in the Vector API's Java
 * fallback, about a hundred times slower; tails overlap the last full vector or go one value at a time. One
 * species only (but for the stride-2 staging's narrowed halves in {@link #copyRowsDeinterleaved}, whose stores
 * {@code VectorIntrinsicsTest} sees compiled), and no vector stored where C2 cannot tell its exact class (a vector
 * chosen between two branches, a load stored as it is, another shape's lanes): JDK 17 then fails its store
 * intrinsic and stores through the same slow fallback ({@code -XX:+PrintInlining} shows "failed to inline
 * (intrinsic)"). Only loaded where
 * {@link VectorSupport#available()} says the module is there.
 */
final class VectorKernels implements Kernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int W = S.length();
    /** The fewest real rows of a packed block worth the wide block (it computes all eight). */
    private static final int WIDE_MIN = 5;
    /** Each thread's copy of the packed block the wide block runs on (grown to the deepest it has run). */
    private static final ThreadBuffer BLOCK = new ThreadBuffer();

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    public void gemm(float[] a, int aOff, int lda, int rows, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int cOff, int ldc, int len) {
        if (len < W) {
            // masked vector loads and stores are not intrinsified here (JDK 17): they run the Java fallback, a
            // hundred times slower than plain loops
            if (wholeVectorsFit(c, cOff, rows, ldc, b, bRows, bRowsOff, bShift, depth)) {
                tinyBlocks(a, aOff, lda, 1, rows, depth, b, bRows, bRowsOff, bShift, c, cOff, ldc, len);
            } else {
                PlainKernels.INSTANCE.gemm(a, aOff, lda, rows, depth, b, bRows, bRowsOff, bShift, c, cOff, ldc, len);
            }
            return;
        }
        if (len <= 4 * W) {
            // a short row (a 7 × 7 map with its padding is 63 values): one block as wide as the row; in chunks of
            // two vectors, the last overlapping, 63 values took 128 lanes
            for (int i = 0; i < rows;) {
                if (rows - i == 5) {
                    // five rows (five bases, this project's usual d) in one pass over the row
                    shortBlock5(a, aOff + i * lda, lda, depth, b, bRows, bRowsOff, bShift, c, cOff + i * ldc, ldc,
                            len);
                    return;
                }
                shortBlock(a, aOff + i * lda, lda, depth, b, bRows, bRowsOff, bShift, c, cOff + i * ldc, ldc, len,
                        Math.min(4, rows - i));
                i += 4;
            }
            return;
        }
        narrow(a, aOff, lda, 1, rows, depth, b, bRows, bRowsOff, bShift, c, cOff, ldc, len);
    }

    /**
     * Whether rows shorter than a vector may run as whole vectors ({@link Kernels#ROW_SLACK}): c's last row has a
     * vector's room, and a whole vector from each of b's rows lies inside b.
     */
    private static boolean wholeVectorsFit(float[] c, int cOff, int rows, int ldc, float[] b, int[] bRows,
            int bRowsOff, int bShift, int depth) {
        if (W > ROW_SLACK || cOff + (rows - 1) * ldc + W > c.length) {
            return false;
        }
        for (int p = 0; p < depth; p++) {
            if (bRows[bRowsOff + p] + bShift + W > b.length) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rows shorter than two vectors (a 4 × 4 map at batch 1 with its padding, a 2 × 2 map, the 1 × 1 convolutions
     * of a 4 × 4 map), four rows at a time (a missing row reads the last real row of a and is not stored), row
     * i's value p of a at {@code aOff + i·lda + p·ps}. A row of at least one vector: vectors at 0 and
     * {@code len − W} (the same columns twice get the same values). A shorter row: one whole vector, stored in
     * row order, its lanes past the row running on over the next row's start (rewritten by it) and past the last
     * row into the caller's slack.
     */
    private static void tinyBlocks(float[] a, int aOff, int lda, int ps, int rows, int depth, float[] b, int[] bRows,
            int bRowsOff, int bShift, float[] c, int cOff, int ldc, int len) {
        int second = Math.max(0, len - W);
        for (int i = 0; i < rows; i += 4) {
            int a0 = aOff + i * lda;
            int a1 = rows - i > 1 ? a0 + lda : a0;
            int a2 = rows - i > 2 ? a1 + lda : a1;
            int a3 = rows - i > 3 ? a2 + lda : a2;
            FloatVector x0 = FloatVector.zero(S);
            FloatVector x1 = FloatVector.zero(S);
            FloatVector x2 = FloatVector.zero(S);
            FloatVector x3 = FloatVector.zero(S);
            FloatVector y0 = FloatVector.zero(S);
            FloatVector y1 = FloatVector.zero(S);
            FloatVector y2 = FloatVector.zero(S);
            FloatVector y3 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift;
                FloatVector v = FloatVector.fromArray(S, b, bi);
                FloatVector u = FloatVector.fromArray(S, b, bi + second);
                FloatVector s = FloatVector.broadcast(S, a[a0 + p * ps]);
                x0 = v.fma(s, x0);
                y0 = u.fma(s, y0);
                s = FloatVector.broadcast(S, a[a1 + p * ps]);
                x1 = v.fma(s, x1);
                y1 = u.fma(s, y1);
                s = FloatVector.broadcast(S, a[a2 + p * ps]);
                x2 = v.fma(s, x2);
                y2 = u.fma(s, y2);
                s = FloatVector.broadcast(S, a[a3 + p * ps]);
                x3 = v.fma(s, x3);
                y3 = u.fma(s, y3);
            }
            // the second vector first: for a short row it is the first again, the same values
            int d = cOff + i * ldc;
            y0.intoArray(c, d + second);
            x0.intoArray(c, d);
            if (rows - i > 1) {
                y1.intoArray(c, d + ldc + second);
                x1.intoArray(c, d + ldc);
            }
            if (rows - i > 2) {
                y2.intoArray(c, d + 2 * ldc + second);
                x2.intoArray(c, d + 2 * ldc);
            }
            if (rows - i > 3) {
                y3.intoArray(c, d + 3 * ldc + second);
                x3.intoArray(c, d + 3 * ldc);
            }
        }
    }

    @Override
    public void gemmColumns(float[] w, int wOff, int depth, float[] a, int aOff, float[] c, int cOff,
            boolean accumulate) {
        if (COLUMN_BLOCK % (4 * W) != 0) {
            PlainKernels.INSTANCE.gemmColumns(w, wOff, depth, a, aOff, c, cOff, accumulate);
            return;
        }
        // four positions × four vectors of channels: sixteen sums in registers, each depth step four weight loads
        // and four broadcasts for sixteen multiply-adds; narrower vectors take the block in several passes
        for (int j = 0; j < COLUMN_BLOCK; j += 4 * W) {
            columnsBlock(w, wOff + j, depth, a, aOff, c, cOff + j, accumulate);
        }
    }

    /** A block's sum to start from: what c holds there when accumulating, else zero. */
    private static FloatVector start(float[] c, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
    }

    private static void columnsBlock(float[] w, int w0, int depth, float[] a, int a0, float[] c, int c0,
            boolean accumulate) {
        final int cb = COLUMN_BLOCK;
        int r1 = c0 + cb;
        int r2 = r1 + cb;
        int r3 = r2 + cb;
        FloatVector x00 = start(c, c0, accumulate);
        FloatVector x01 = start(c, c0 + W, accumulate);
        FloatVector x02 = start(c, c0 + 2 * W, accumulate);
        FloatVector x03 = start(c, c0 + 3 * W, accumulate);
        FloatVector x10 = start(c, r1, accumulate);
        FloatVector x11 = start(c, r1 + W, accumulate);
        FloatVector x12 = start(c, r1 + 2 * W, accumulate);
        FloatVector x13 = start(c, r1 + 3 * W, accumulate);
        FloatVector x20 = start(c, r2, accumulate);
        FloatVector x21 = start(c, r2 + W, accumulate);
        FloatVector x22 = start(c, r2 + 2 * W, accumulate);
        FloatVector x23 = start(c, r2 + 3 * W, accumulate);
        FloatVector x30 = start(c, r3, accumulate);
        FloatVector x31 = start(c, r3 + W, accumulate);
        FloatVector x32 = start(c, r3 + 2 * W, accumulate);
        FloatVector x33 = start(c, r3 + 3 * W, accumulate);
        for (int p = 0; p < depth; p++) {
            int wi = w0 + p * cb;
            int ai = a0 + p * POSITION_TILE;
            FloatVector w0v = FloatVector.fromArray(S, w, wi);
            FloatVector w1v = FloatVector.fromArray(S, w, wi + W);
            FloatVector w2v = FloatVector.fromArray(S, w, wi + 2 * W);
            FloatVector w3v = FloatVector.fromArray(S, w, wi + 3 * W);
            FloatVector b0 = FloatVector.broadcast(S, a[ai]);
            x00 = w0v.fma(b0, x00);
            x01 = w1v.fma(b0, x01);
            x02 = w2v.fma(b0, x02);
            x03 = w3v.fma(b0, x03);
            FloatVector b1 = FloatVector.broadcast(S, a[ai + 1]);
            x10 = w0v.fma(b1, x10);
            x11 = w1v.fma(b1, x11);
            x12 = w2v.fma(b1, x12);
            x13 = w3v.fma(b1, x13);
            FloatVector b2 = FloatVector.broadcast(S, a[ai + 2]);
            x20 = w0v.fma(b2, x20);
            x21 = w1v.fma(b2, x21);
            x22 = w2v.fma(b2, x22);
            x23 = w3v.fma(b2, x23);
            FloatVector b3 = FloatVector.broadcast(S, a[ai + 3]);
            x30 = w0v.fma(b3, x30);
            x31 = w1v.fma(b3, x31);
            x32 = w2v.fma(b3, x32);
            x33 = w3v.fma(b3, x33);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + W);
        x02.intoArray(c, c0 + 2 * W);
        x03.intoArray(c, c0 + 3 * W);
        x10.intoArray(c, r1);
        x11.intoArray(c, r1 + W);
        x12.intoArray(c, r1 + 2 * W);
        x13.intoArray(c, r1 + 3 * W);
        x20.intoArray(c, r2);
        x21.intoArray(c, r2 + W);
        x22.intoArray(c, r2 + 2 * W);
        x23.intoArray(c, r2 + 3 * W);
        x30.intoArray(c, r3);
        x31.intoArray(c, r3 + W);
        x32.intoArray(c, r3 + 2 * W);
        x33.intoArray(c, r3 + 3 * W);
    }

    @Override
    public void gemmPacked(float[] packed, int block, int first, int rows, int depth, float[] b, int[] bRows,
            int bRowsOff, float[] c, int cOff, int ldc, int len) {
        if (len < 2 * W) {
            if (len >= W || wholeVectorsFit(c, cOff, rows, ldc, b, bRows, bRowsOff, 0, depth)) {
                tinyBlocks(packed, block + first, 1, PACK_ROWS, rows, depth, b, bRows, bRowsOff, 0, c, cOff, ldc,
                        len);
            } else {
                PlainKernels.INSTANCE.gemmPacked(packed, block, first, rows, depth, b, bRows, bRowsOff, c, cOff, ldc,
                        len);
            }
        } else if (len >= 3 * W && first == 0 && rows >= WIDE_MIN) {
            // the block copied to this thread's buffer first: read in place from the packed weight the block ran
            // at 1.2x the 4 × 2 block, from the copy at 1.7-1.8x (GemmBench, vgg-small's layers, interleaved); the
            // copy is one memcpy per call
            float[] copy = BLOCK.atLeast(PACK_ROWS * depth);
            System.arraycopy(packed, block, copy, 0, PACK_ROWS * depth);
            block8x3(copy, depth, b, bRows, bRowsOff, c, cOff, ldc, len, rows);
        } else {
            narrow(packed, block + first, 1, PACK_ROWS, rows, depth, b, bRows, bRowsOff, 0, c, cOff, ldc, len);
        }
    }

    /**
     * One to four rows of a and c over a whole short row, {@code W <= len <= 4·W}: vectors at 0, W, 2·W and
     * {@code len − W}, each clamped to the last (overlapping, or the same vector twice when the row is shorter
     * than four); a missing row reads the last real row of a and is not stored. Stores go in column order, so
     * where two vectors overlap the later writes the same values over the earlier.
     */
    private static void shortBlock(float[] a, int a0, int lda, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int c0, int ldc, int len, int rows) {
        int last = len - W;
        int o1 = Math.min(W, last);
        int o2 = Math.min(2 * W, last);
        if (rows == 1) {
            FloatVector x0 = FloatVector.zero(S);
            FloatVector x1 = FloatVector.zero(S);
            FloatVector x2 = FloatVector.zero(S);
            FloatVector x3 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift;
                FloatVector s0 = FloatVector.broadcast(S, a[a0 + p]);
                x0 = FloatVector.fromArray(S, b, bi).fma(s0, x0);
                x1 = FloatVector.fromArray(S, b, bi + o1).fma(s0, x1);
                x2 = FloatVector.fromArray(S, b, bi + o2).fma(s0, x2);
                x3 = FloatVector.fromArray(S, b, bi + last).fma(s0, x3);
            }
            x0.intoArray(c, c0);
            x1.intoArray(c, c0 + o1);
            x2.intoArray(c, c0 + o2);
            x3.intoArray(c, c0 + last);
            return;
        }
        int a1 = a0 + lda;
        int a2 = rows > 2 ? a1 + lda : a1;
        int a3 = rows > 3 ? a2 + lda : a2;
        FloatVector x00 = FloatVector.zero(S);
        FloatVector x01 = FloatVector.zero(S);
        FloatVector x02 = FloatVector.zero(S);
        FloatVector x03 = FloatVector.zero(S);
        FloatVector x10 = FloatVector.zero(S);
        FloatVector x11 = FloatVector.zero(S);
        FloatVector x12 = FloatVector.zero(S);
        FloatVector x13 = FloatVector.zero(S);
        FloatVector x20 = FloatVector.zero(S);
        FloatVector x21 = FloatVector.zero(S);
        FloatVector x22 = FloatVector.zero(S);
        FloatVector x23 = FloatVector.zero(S);
        FloatVector x30 = FloatVector.zero(S);
        FloatVector x31 = FloatVector.zero(S);
        FloatVector x32 = FloatVector.zero(S);
        FloatVector x33 = FloatVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int bi = bRows[bRowsOff + p] + bShift;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + o1);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + o2);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + last);
            FloatVector s = FloatVector.broadcast(S, a[a0 + p]);
            x00 = b0.fma(s, x00);
            x01 = b1.fma(s, x01);
            x02 = b2.fma(s, x02);
            x03 = b3.fma(s, x03);
            s = FloatVector.broadcast(S, a[a1 + p]);
            x10 = b0.fma(s, x10);
            x11 = b1.fma(s, x11);
            x12 = b2.fma(s, x12);
            x13 = b3.fma(s, x13);
            s = FloatVector.broadcast(S, a[a2 + p]);
            x20 = b0.fma(s, x20);
            x21 = b1.fma(s, x21);
            x22 = b2.fma(s, x22);
            x23 = b3.fma(s, x23);
            s = FloatVector.broadcast(S, a[a3 + p]);
            x30 = b0.fma(s, x30);
            x31 = b1.fma(s, x31);
            x32 = b2.fma(s, x32);
            x33 = b3.fma(s, x33);
        }
        // written out, not through a helper: C2 keeps only separate variables in registers
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + o1);
        x02.intoArray(c, c0 + o2);
        x03.intoArray(c, c0 + last);
        int d = c0 + ldc;
        x10.intoArray(c, d);
        x11.intoArray(c, d + o1);
        x12.intoArray(c, d + o2);
        x13.intoArray(c, d + last);
        if (rows > 2) {
            d += ldc;
            x20.intoArray(c, d);
            x21.intoArray(c, d + o1);
            x22.intoArray(c, d + o2);
            x23.intoArray(c, d + last);
        }
        if (rows > 3) {
            d += ldc;
            x30.intoArray(c, d);
            x31.intoArray(c, d + o1);
            x32.intoArray(c, d + o2);
            x33.intoArray(c, d + last);
        }
    }

    /**
     * {@link #shortBlock} for exactly five rows (five bases): 20 sums in registers, each loaded vector of b feeding
     * five multiply-adds, in one pass where four rows and one took two.
     */
    private static void shortBlock5(float[] a, int a0, int lda, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int c0, int ldc, int len) {
        int last = len - W;
        int o1 = Math.min(W, last);
        int o2 = Math.min(2 * W, last);
        FloatVector x00 = FloatVector.zero(S);
        FloatVector x01 = FloatVector.zero(S);
        FloatVector x02 = FloatVector.zero(S);
        FloatVector x03 = FloatVector.zero(S);
        FloatVector x10 = FloatVector.zero(S);
        FloatVector x11 = FloatVector.zero(S);
        FloatVector x12 = FloatVector.zero(S);
        FloatVector x13 = FloatVector.zero(S);
        FloatVector x20 = FloatVector.zero(S);
        FloatVector x21 = FloatVector.zero(S);
        FloatVector x22 = FloatVector.zero(S);
        FloatVector x23 = FloatVector.zero(S);
        FloatVector x30 = FloatVector.zero(S);
        FloatVector x31 = FloatVector.zero(S);
        FloatVector x32 = FloatVector.zero(S);
        FloatVector x33 = FloatVector.zero(S);
        FloatVector x40 = FloatVector.zero(S);
        FloatVector x41 = FloatVector.zero(S);
        FloatVector x42 = FloatVector.zero(S);
        FloatVector x43 = FloatVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int bi = bRows[bRowsOff + p] + bShift;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + o1);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + o2);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + last);
            FloatVector s = FloatVector.broadcast(S, a[a0 + p]);
            x00 = b0.fma(s, x00);
            x01 = b1.fma(s, x01);
            x02 = b2.fma(s, x02);
            x03 = b3.fma(s, x03);
            s = FloatVector.broadcast(S, a[a0 + lda + p]);
            x10 = b0.fma(s, x10);
            x11 = b1.fma(s, x11);
            x12 = b2.fma(s, x12);
            x13 = b3.fma(s, x13);
            s = FloatVector.broadcast(S, a[a0 + 2 * lda + p]);
            x20 = b0.fma(s, x20);
            x21 = b1.fma(s, x21);
            x22 = b2.fma(s, x22);
            x23 = b3.fma(s, x23);
            s = FloatVector.broadcast(S, a[a0 + 3 * lda + p]);
            x30 = b0.fma(s, x30);
            x31 = b1.fma(s, x31);
            x32 = b2.fma(s, x32);
            x33 = b3.fma(s, x33);
            s = FloatVector.broadcast(S, a[a0 + 4 * lda + p]);
            x40 = b0.fma(s, x40);
            x41 = b1.fma(s, x41);
            x42 = b2.fma(s, x42);
            x43 = b3.fma(s, x43);
        }
        int d = c0;
        x00.intoArray(c, d);
        x01.intoArray(c, d + o1);
        x02.intoArray(c, d + o2);
        x03.intoArray(c, d + last);
        d += ldc;
        x10.intoArray(c, d);
        x11.intoArray(c, d + o1);
        x12.intoArray(c, d + o2);
        x13.intoArray(c, d + last);
        d += ldc;
        x20.intoArray(c, d);
        x21.intoArray(c, d + o1);
        x22.intoArray(c, d + o2);
        x23.intoArray(c, d + last);
        d += ldc;
        x30.intoArray(c, d);
        x31.intoArray(c, d + o1);
        x32.intoArray(c, d + o2);
        x33.intoArray(c, d + last);
        d += ldc;
        x40.intoArray(c, d);
        x41.intoArray(c, d + o1);
        x42.intoArray(c, d + o2);
        x43.intoArray(c, d + last);
    }

    /**
     * Five rows of a and c × three vectors of columns (five bases over a long row): 15 sums in registers, each
     * loaded vector of b feeding five multiply-adds, where a block of four rows and one of a single row took two
     * passes over b. Row i's value p of a at {@code a0 + i·rowStride + p·ps}; {@code len >= 3·W}.
     */
    private static void block5x3(float[] a, int a0, int rowStride, int ps, int depth, float[] b, int[] bRows,
            int bRowsOff, int bShift, float[] c, int c0, int ldc, int len) {
        // the last chunk overlaps the one before it (c is overwritten, so columns computed twice get equal values)
        for (int j = 0;; j += 3 * W) {
            if (j + 3 * W > len) {
                j = len - 3 * W;
            }
            FloatVector x00 = FloatVector.zero(S);
            FloatVector x01 = FloatVector.zero(S);
            FloatVector x02 = FloatVector.zero(S);
            FloatVector x10 = FloatVector.zero(S);
            FloatVector x11 = FloatVector.zero(S);
            FloatVector x12 = FloatVector.zero(S);
            FloatVector x20 = FloatVector.zero(S);
            FloatVector x21 = FloatVector.zero(S);
            FloatVector x22 = FloatVector.zero(S);
            FloatVector x30 = FloatVector.zero(S);
            FloatVector x31 = FloatVector.zero(S);
            FloatVector x32 = FloatVector.zero(S);
            FloatVector x40 = FloatVector.zero(S);
            FloatVector x41 = FloatVector.zero(S);
            FloatVector x42 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift + j;
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + W);
                FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * W);
                FloatVector s = FloatVector.broadcast(S, a[a0 + p * ps]);
                x00 = b0.fma(s, x00);
                x01 = b1.fma(s, x01);
                x02 = b2.fma(s, x02);
                s = FloatVector.broadcast(S, a[a0 + rowStride + p * ps]);
                x10 = b0.fma(s, x10);
                x11 = b1.fma(s, x11);
                x12 = b2.fma(s, x12);
                s = FloatVector.broadcast(S, a[a0 + 2 * rowStride + p * ps]);
                x20 = b0.fma(s, x20);
                x21 = b1.fma(s, x21);
                x22 = b2.fma(s, x22);
                s = FloatVector.broadcast(S, a[a0 + 3 * rowStride + p * ps]);
                x30 = b0.fma(s, x30);
                x31 = b1.fma(s, x31);
                x32 = b2.fma(s, x32);
                s = FloatVector.broadcast(S, a[a0 + 4 * rowStride + p * ps]);
                x40 = b0.fma(s, x40);
                x41 = b1.fma(s, x41);
                x42 = b2.fma(s, x42);
            }
            int d = c0 + j;
            x00.intoArray(c, d);
            x01.intoArray(c, d + W);
            x02.intoArray(c, d + 2 * W);
            d += ldc;
            x10.intoArray(c, d);
            x11.intoArray(c, d + W);
            x12.intoArray(c, d + 2 * W);
            d += ldc;
            x20.intoArray(c, d);
            x21.intoArray(c, d + W);
            x22.intoArray(c, d + 2 * W);
            d += ldc;
            x30.intoArray(c, d);
            x31.intoArray(c, d + W);
            x32.intoArray(c, d + 2 * W);
            d += ldc;
            x40.intoArray(c, d);
            x41.intoArray(c, d + W);
            x42.intoArray(c, d + 2 * W);
            if (j + 3 * W >= len) {
                return;
            }
        }
    }

    /** The 4 × 2 blocks, row i's value p of a at {@code aOff + i·rowStride + p·depthStride}. */
    private static void narrow(float[] a, int aOff, int rowStride, int depthStride, int rows, int depth, float[] b,
            int[] bRows, int bRowsOff, int bShift, float[] c, int cOff, int ldc, int len) {
        int i = 0;
        if (rows == 5 && len >= 3 * W) {
            block5x3(a, aOff, rowStride, depthStride, depth, b, bRows, bRowsOff, bShift, c, cOff, ldc, len);
            return;
        }
        if (len >= 4 * W) {
            // four vectors a row: a block of 2 to 4 rows holds 8 to 16 independent sums, each load of b feeds
            // every row; the 4 × 2 block's 8 sums (its missing rows computed and dropped) measured slower
            for (; i + 3 <= rows; i += 4) {
                wide4(a, aOff + i * rowStride, rowStride, depthStride, depth, b, bRows, bRowsOff, bShift, c,
                        cOff + i * ldc, ldc, len, Math.min(4, rows - i));
            }
            if (rows - i == 2) {
                wide2(a, aOff + i * rowStride, rowStride, depthStride, depth, b, bRows, bRowsOff, bShift, c,
                        cOff + i * ldc, ldc, len);
            } else if (rows - i == 1) {
                wide2(a, aOff + i * rowStride, 0, depthStride, depth, b, bRows, bRowsOff, bShift, c,
                        cOff + i * ldc, 0, len);
            }
            return;
        }
        for (; i + 4 <= rows; i += 4) {
            block4(a, aOff + i * rowStride, rowStride, depthStride, depth, b, bRows, bRowsOff, bShift, c,
                    cOff + i * ldc, ldc, len, 4);
        }
        // two or three rows left (a pruned layer's channel often needs 2 or 3 maps) in one pass over b, the
        // missing rows' multiply-adds done and dropped: cheaper than a pass over b per row
        if (rows - i >= 2) {
            block4(a, aOff + i * rowStride, rowStride, depthStride, depth, b, bRows, bRowsOff, bShift, c,
                    cOff + i * ldc, ldc, len, rows - i);
        } else if (rows - i == 1) {
            block1(a, aOff + i * rowStride, depthStride, depth, b, bRows, bRowsOff, bShift, c, cOff + i * ldc, len);
        }
    }

    /**
     * Eight rows of a packed block ({@link Kernels#pack}, at the start of {@code packed}) and of c (five to seven
     * stored when fewer are real) × three vectors of columns, all 24 sums in registers across the whole depth:
     * per depth index three loads of b and eight broadcasts feed 24 fused multiply-adds, where the 4 × 2 block
     * feeds 8 from two loads and four broadcasts (the loads of b, shifted rows that mostly straddle two cache
     * lines, were what kept that block from the FMA units). Written out row by row: C2 keeps only separate
     * variables in registers.
     */
    private static void block8x3(float[] packed, int depth, float[] b, int[] bRows, int bRowsOff, float[] c,
            int c0, int ldc, int len, int rows) {
        // whole chunks of three vectors; a rest of one or two vectors runs as one or two 8 × 1 blocks (a 7 × 7 map at
        // batch 1, 56 columns, then computes 64, not 96), a longer one as a last chunk overlapping the one before it
        // (c is overwritten, so columns computed twice get equal values)
        int whole = len / (3 * W) * 3 * W;
        int rest = len - whole;
        if (rest > 0 && rest <= 2 * W) {
            block8x1(packed, depth, b, bRows, bRowsOff, c, c0 + len - W, ldc, len - W, rows);
            if (rest > W) {
                block8x1(packed, depth, b, bRows, bRowsOff, c, c0 + whole, ldc, whole, rows);
            }
            len = whole;
        }
        for (int j = 0; j < len; j += 3 * W) {
            if (j + 3 * W > len) {
                j = len - 3 * W;
            }
            FloatVector x00 = FloatVector.zero(S);
            FloatVector x01 = FloatVector.zero(S);
            FloatVector x02 = FloatVector.zero(S);
            FloatVector x10 = FloatVector.zero(S);
            FloatVector x11 = FloatVector.zero(S);
            FloatVector x12 = FloatVector.zero(S);
            FloatVector x20 = FloatVector.zero(S);
            FloatVector x21 = FloatVector.zero(S);
            FloatVector x22 = FloatVector.zero(S);
            FloatVector x30 = FloatVector.zero(S);
            FloatVector x31 = FloatVector.zero(S);
            FloatVector x32 = FloatVector.zero(S);
            FloatVector x40 = FloatVector.zero(S);
            FloatVector x41 = FloatVector.zero(S);
            FloatVector x42 = FloatVector.zero(S);
            FloatVector x50 = FloatVector.zero(S);
            FloatVector x51 = FloatVector.zero(S);
            FloatVector x52 = FloatVector.zero(S);
            FloatVector x60 = FloatVector.zero(S);
            FloatVector x61 = FloatVector.zero(S);
            FloatVector x62 = FloatVector.zero(S);
            FloatVector x70 = FloatVector.zero(S);
            FloatVector x71 = FloatVector.zero(S);
            FloatVector x72 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + j;
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + W);
                FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * W);
                int q = p * PACK_ROWS;
                FloatVector s = FloatVector.broadcast(S, packed[q]);
                x00 = b0.fma(s, x00);
                x01 = b1.fma(s, x01);
                x02 = b2.fma(s, x02);
                s = FloatVector.broadcast(S, packed[q + 1]);
                x10 = b0.fma(s, x10);
                x11 = b1.fma(s, x11);
                x12 = b2.fma(s, x12);
                s = FloatVector.broadcast(S, packed[q + 2]);
                x20 = b0.fma(s, x20);
                x21 = b1.fma(s, x21);
                x22 = b2.fma(s, x22);
                s = FloatVector.broadcast(S, packed[q + 3]);
                x30 = b0.fma(s, x30);
                x31 = b1.fma(s, x31);
                x32 = b2.fma(s, x32);
                s = FloatVector.broadcast(S, packed[q + 4]);
                x40 = b0.fma(s, x40);
                x41 = b1.fma(s, x41);
                x42 = b2.fma(s, x42);
                s = FloatVector.broadcast(S, packed[q + 5]);
                x50 = b0.fma(s, x50);
                x51 = b1.fma(s, x51);
                x52 = b2.fma(s, x52);
                s = FloatVector.broadcast(S, packed[q + 6]);
                x60 = b0.fma(s, x60);
                x61 = b1.fma(s, x61);
                x62 = b2.fma(s, x62);
                s = FloatVector.broadcast(S, packed[q + 7]);
                x70 = b0.fma(s, x70);
                x71 = b1.fma(s, x71);
                x72 = b2.fma(s, x72);
            }
            // stores written out, not through a helper: a call C2 declines to inline (this method is near its
            // node limit) boxes the vectors, and that costs the loop more than ten times its speed
            int d = c0 + j;
            x00.intoArray(c, d);
            x01.intoArray(c, d + W);
            x02.intoArray(c, d + 2 * W);
            d += ldc;
            x10.intoArray(c, d);
            x11.intoArray(c, d + W);
            x12.intoArray(c, d + 2 * W);
            d += ldc;
            x20.intoArray(c, d);
            x21.intoArray(c, d + W);
            x22.intoArray(c, d + 2 * W);
            d += ldc;
            x30.intoArray(c, d);
            x31.intoArray(c, d + W);
            x32.intoArray(c, d + 2 * W);
            d += ldc;
            x40.intoArray(c, d);
            x41.intoArray(c, d + W);
            x42.intoArray(c, d + 2 * W);
            if (rows > 5) {
                d += ldc;
                x50.intoArray(c, d);
                x51.intoArray(c, d + W);
                x52.intoArray(c, d + 2 * W);
            }
            if (rows > 6) {
                d += ldc;
                x60.intoArray(c, d);
                x61.intoArray(c, d + W);
                x62.intoArray(c, d + 2 * W);
            }
            if (rows > 7) {
                d += ldc;
                x70.intoArray(c, d);
                x71.intoArray(c, d + W);
                x72.intoArray(c, d + 2 * W);
            }
        }
    }

    /** Eight (five to eight stored) rows of a packed block × one vector of columns from {@code j}: a chunk's rest. */
    private static void block8x1(float[] packed, int depth, float[] b, int[] bRows, int bRowsOff, float[] c, int d,
            int ldc, int j, int rows) {
        FloatVector x0 = FloatVector.zero(S);
        FloatVector x1 = FloatVector.zero(S);
        FloatVector x2 = FloatVector.zero(S);
        FloatVector x3 = FloatVector.zero(S);
        FloatVector x4 = FloatVector.zero(S);
        FloatVector x5 = FloatVector.zero(S);
        FloatVector x6 = FloatVector.zero(S);
        FloatVector x7 = FloatVector.zero(S);
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bRows[bRowsOff + p] + j);
            int q = p * PACK_ROWS;
            x0 = b0.fma(FloatVector.broadcast(S, packed[q]), x0);
            x1 = b0.fma(FloatVector.broadcast(S, packed[q + 1]), x1);
            x2 = b0.fma(FloatVector.broadcast(S, packed[q + 2]), x2);
            x3 = b0.fma(FloatVector.broadcast(S, packed[q + 3]), x3);
            x4 = b0.fma(FloatVector.broadcast(S, packed[q + 4]), x4);
            x5 = b0.fma(FloatVector.broadcast(S, packed[q + 5]), x5);
            x6 = b0.fma(FloatVector.broadcast(S, packed[q + 6]), x6);
            x7 = b0.fma(FloatVector.broadcast(S, packed[q + 7]), x7);
        }
        x0.intoArray(c, d);
        x1.intoArray(c, d + ldc);
        x2.intoArray(c, d + 2 * ldc);
        x3.intoArray(c, d + 3 * ldc);
        x4.intoArray(c, d + 4 * ldc);
        if (rows > 5) {
            x5.intoArray(c, d + 5 * ldc);
        }
        if (rows > 6) {
            x6.intoArray(c, d + 6 * ldc);
        }
        if (rows > 7) {
            x7.intoArray(c, d + 7 * ldc);
        }
    }

    /** Four rows of a and c, or two or three: a missing row reads the last real row of a and is not stored. */
    /**
     * Three or four rows of a and c, four vectors of c at a time ({@code len >= 4·W}); with three the fourth row's
     * sums read the third's a and are not stored. The last chunk overlaps the one before it.
     */
    private static void wide4(float[] a, int a0, int lda, int ps, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int c0, int ldc, int len, int rows) {
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = rows > 3 ? a2 + lda : a2;
        for (int j = 0;; j += 4 * W) {
            if (j + 4 * W > len) {
                j = len - 4 * W;
            }
            FloatVector x00 = FloatVector.zero(S);
            FloatVector x01 = FloatVector.zero(S);
            FloatVector x02 = FloatVector.zero(S);
            FloatVector x03 = FloatVector.zero(S);
            FloatVector x10 = FloatVector.zero(S);
            FloatVector x11 = FloatVector.zero(S);
            FloatVector x12 = FloatVector.zero(S);
            FloatVector x13 = FloatVector.zero(S);
            FloatVector x20 = FloatVector.zero(S);
            FloatVector x21 = FloatVector.zero(S);
            FloatVector x22 = FloatVector.zero(S);
            FloatVector x23 = FloatVector.zero(S);
            FloatVector x30 = FloatVector.zero(S);
            FloatVector x31 = FloatVector.zero(S);
            FloatVector x32 = FloatVector.zero(S);
            FloatVector x33 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift + j;
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + W);
                FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * W);
                FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * W);
                FloatVector s = FloatVector.broadcast(S, a[a0 + p * ps]);
                x00 = b0.fma(s, x00);
                x01 = b1.fma(s, x01);
                x02 = b2.fma(s, x02);
                x03 = b3.fma(s, x03);
                s = FloatVector.broadcast(S, a[a1 + p * ps]);
                x10 = b0.fma(s, x10);
                x11 = b1.fma(s, x11);
                x12 = b2.fma(s, x12);
                x13 = b3.fma(s, x13);
                s = FloatVector.broadcast(S, a[a2 + p * ps]);
                x20 = b0.fma(s, x20);
                x21 = b1.fma(s, x21);
                x22 = b2.fma(s, x22);
                x23 = b3.fma(s, x23);
                s = FloatVector.broadcast(S, a[a3 + p * ps]);
                x30 = b0.fma(s, x30);
                x31 = b1.fma(s, x31);
                x32 = b2.fma(s, x32);
                x33 = b3.fma(s, x33);
            }
            int d = c0 + j;
            x00.intoArray(c, d);
            x01.intoArray(c, d + W);
            x02.intoArray(c, d + 2 * W);
            x03.intoArray(c, d + 3 * W);
            d += ldc;
            x10.intoArray(c, d);
            x11.intoArray(c, d + W);
            x12.intoArray(c, d + 2 * W);
            x13.intoArray(c, d + 3 * W);
            d += ldc;
            x20.intoArray(c, d);
            x21.intoArray(c, d + W);
            x22.intoArray(c, d + 2 * W);
            x23.intoArray(c, d + 3 * W);
            if (rows > 3) {
                d += ldc;
                x30.intoArray(c, d);
                x31.intoArray(c, d + W);
                x32.intoArray(c, d + 2 * W);
                x33.intoArray(c, d + 3 * W);
            }
            if (j + 4 * W >= len) {
                return;
            }
        }
    }

    /**
     * Two rows of a and c, four vectors of c at a time ({@code len >= 4·W}); one row when {@code lda} and
     * {@code ldc} are 0 (both sums then the same row, stored twice over the same place with the same values).
     */
    private static void wide2(float[] a, int a0, int lda, int ps, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int c0, int ldc, int len) {
        int a1 = a0 + lda;
        for (int j = 0;; j += 4 * W) {
            if (j + 4 * W > len) {
                j = len - 4 * W;
            }
            FloatVector x00 = FloatVector.zero(S);
            FloatVector x01 = FloatVector.zero(S);
            FloatVector x02 = FloatVector.zero(S);
            FloatVector x03 = FloatVector.zero(S);
            FloatVector x10 = FloatVector.zero(S);
            FloatVector x11 = FloatVector.zero(S);
            FloatVector x12 = FloatVector.zero(S);
            FloatVector x13 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift + j;
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + W);
                FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * W);
                FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * W);
                FloatVector s = FloatVector.broadcast(S, a[a0 + p * ps]);
                x00 = b0.fma(s, x00);
                x01 = b1.fma(s, x01);
                x02 = b2.fma(s, x02);
                x03 = b3.fma(s, x03);
                s = FloatVector.broadcast(S, a[a1 + p * ps]);
                x10 = b0.fma(s, x10);
                x11 = b1.fma(s, x11);
                x12 = b2.fma(s, x12);
                x13 = b3.fma(s, x13);
            }
            int d = c0 + j;
            x00.intoArray(c, d);
            x01.intoArray(c, d + W);
            x02.intoArray(c, d + 2 * W);
            x03.intoArray(c, d + 3 * W);
            d += ldc;
            x10.intoArray(c, d);
            x11.intoArray(c, d + W);
            x12.intoArray(c, d + 2 * W);
            x13.intoArray(c, d + 3 * W);
            if (j + 4 * W >= len) {
                return;
            }
        }
    }

    private static void block4(float[] a, int a0, int lda, int ps, int depth, float[] b, int[] bRows,
            int bRowsOff, int bShift, float[] c, int c0, int ldc, int len, int rows) {
        int a1 = a0 + lda;
        int a2 = rows > 2 ? a1 + lda : a1;
        int a3 = rows > 3 ? a2 + lda : a2;
        // the last chunk overlaps the one before it rather than going masked (masked loads are slow on JDK 17):
        // c is overwritten, never accumulated into, so the columns computed twice get the same values
        int j = 0;
        for (int full = len >= 2 * W ? len : 0; j < full; j += 2 * W) {
            if (j + 2 * W > len) {
                j = len - 2 * W;
            }
            FloatVector x00 = FloatVector.zero(S);
            FloatVector x01 = FloatVector.zero(S);
            FloatVector x10 = FloatVector.zero(S);
            FloatVector x11 = FloatVector.zero(S);
            FloatVector x20 = FloatVector.zero(S);
            FloatVector x21 = FloatVector.zero(S);
            FloatVector x30 = FloatVector.zero(S);
            FloatVector x31 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift + j;
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + W);
                FloatVector s0 = FloatVector.broadcast(S, a[a0 + p * ps]);
                FloatVector s1 = FloatVector.broadcast(S, a[a1 + p * ps]);
                FloatVector s2 = FloatVector.broadcast(S, a[a2 + p * ps]);
                FloatVector s3 = FloatVector.broadcast(S, a[a3 + p * ps]);
                x00 = b0.fma(s0, x00);
                x01 = b1.fma(s0, x01);
                x10 = b0.fma(s1, x10);
                x11 = b1.fma(s1, x11);
                x20 = b0.fma(s2, x20);
                x21 = b1.fma(s2, x21);
                x30 = b0.fma(s3, x30);
                x31 = b1.fma(s3, x31);
            }
            x00.intoArray(c, c0 + j);
            x01.intoArray(c, c0 + j + W);
            x10.intoArray(c, c0 + ldc + j);
            x11.intoArray(c, c0 + ldc + j + W);
            if (rows > 2) {
                x20.intoArray(c, c0 + 2 * ldc + j);
                x21.intoArray(c, c0 + 2 * ldc + j + W);
            }
            if (rows > 3) {
                x30.intoArray(c, c0 + 3 * ldc + j);
                x31.intoArray(c, c0 + 3 * ldc + j + W);
            }
        }
    }

    private static void block1(float[] a, int a0, int ps, int depth, float[] b, int[] bRows, int bRowsOff,
            int bShift, float[] c, int c0, int len) {
        int j = 0;
        for (int full = len >= 2 * W ? len : 0; j < full; j += 2 * W) {
            if (j + 2 * W > len) {
                j = len - 2 * W;
            }
            FloatVector x0 = FloatVector.zero(S);
            FloatVector x1 = FloatVector.zero(S);
            for (int p = 0; p < depth; p++) {
                int bi = bRows[bRowsOff + p] + bShift + j;
                FloatVector s0 = FloatVector.broadcast(S, a[a0 + p * ps]);
                x0 = FloatVector.fromArray(S, b, bi).fma(s0, x0);
                x1 = FloatVector.fromArray(S, b, bi + W).fma(s0, x1);
            }
            x0.intoArray(c, c0 + j);
            x1.intoArray(c, c0 + j + W);
        }
    }

    @Override
    public void sparseRow(float[] values, int[] maps, int start, int end, float[] m, int channelStride,
            int basisStride, float[] acc, int accOff, int len, float bias, boolean relu) {
        if (len <= W) {
            // a row of exactly one vector too: four chains of whole vectors, not the two-vector path's one
            if (W <= ROW_SLACK && accOff + W <= acc.length) {
                tinySparseRow(values, maps, start, end, m, channelStride, basisStride, acc, accOff, bias, relu);
            } else {
                PlainKernels.INSTANCE.sparseRow(values, maps, start, end, m, channelStride, basisStride, acc, accOff,
                        len, bias, relu);
            }
            return;
        }
        // Four vectors of the row stay in registers across all of its coefficients, four independent chains of
        // multiply-adds; the last block overlaps the one before it (acc is overwritten, so columns computed twice
        // get the same values). A row shorter than four vectors (a 7 × 7 map is 63 values with its padding) runs
        // as one block of as many vectors as it needs, the last overlapping: one vector at a time it was a
        // single dependent chain, waiting on the FMA latency for each non-zero.
        if (len < 4 * W) {
            shortSparseRow(values, maps, start, end, m, channelStride, basisStride, acc, accOff, len, bias, relu);
            return;
        }
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector zero = FloatVector.zero(S);
        for (int j = 0;; j += 4 * W) {
            if (j + 4 * W > len) {
                j = len - 4 * W;
            }
            FloatVector x0 = b;
            FloatVector x1 = b;
            FloatVector x2 = b;
            FloatVector x3 = b;
            for (int e = start; e < end; e++) {
                FloatVector v = FloatVector.broadcast(S, values[e]);
                int r = Kernels.offset(maps[e], channelStride, basisStride) + j;
                x0 = FloatVector.fromArray(S, m, r).fma(v, x0);
                x1 = FloatVector.fromArray(S, m, r + W).fma(v, x1);
                x2 = FloatVector.fromArray(S, m, r + 2 * W).fma(v, x2);
                x3 = FloatVector.fromArray(S, m, r + 3 * W).fma(v, x3);
            }
            if (relu) {
                x0 = x0.max(zero);
                x1 = x1.max(zero);
                x2 = x2.max(zero);
                x3 = x3.max(zero);
            }
            x0.intoArray(acc, accOff + j);
            x1.intoArray(acc, accOff + j + W);
            x2.intoArray(acc, accOff + j + 2 * W);
            x3.intoArray(acc, accOff + j + 3 * W);
            if (j + 4 * W >= len) {
                return;
            }
        }
    }

    /**
     * A row of at most one vector (a map of 4 × 4 or 2 × 2 values at batch 1, VGG-16's last layers): one vector
     * from the row's start for each non-zero, its lanes past the row reading the next map's first values and
     * stored past the row into the caller's slack; four independent sums, added at the end. Plain loops over a few
     * values per non-zero took a third of VGG-16-CIFAR's time at batch 1.
     */
    private static void tinySparseRow(float[] values, int[] maps, int start, int end, float[] m, int channelStride,
            int basisStride, float[] acc, int accOff, float bias, boolean relu) {
        FloatVector x0 = FloatVector.broadcast(S, bias);
        FloatVector x1 = FloatVector.zero(S);
        FloatVector x2 = FloatVector.zero(S);
        FloatVector x3 = FloatVector.zero(S);
        int e = start;
        for (; e + 4 <= end; e += 4) {
            x0 = FloatVector.fromArray(S, m, Kernels.offset(maps[e], channelStride, basisStride))
                    .fma(FloatVector.broadcast(S, values[e]), x0);
            x1 = FloatVector.fromArray(S, m, Kernels.offset(maps[e + 1], channelStride, basisStride))
                    .fma(FloatVector.broadcast(S, values[e + 1]), x1);
            x2 = FloatVector.fromArray(S, m, Kernels.offset(maps[e + 2], channelStride, basisStride))
                    .fma(FloatVector.broadcast(S, values[e + 2]), x2);
            x3 = FloatVector.fromArray(S, m, Kernels.offset(maps[e + 3], channelStride, basisStride))
                    .fma(FloatVector.broadcast(S, values[e + 3]), x3);
        }
        for (; e < end; e++) {
            x0 = FloatVector.fromArray(S, m, Kernels.offset(maps[e], channelStride, basisStride))
                    .fma(FloatVector.broadcast(S, values[e]), x0);
        }
        FloatVector sum = x0.add(x1).add(x2.add(x3));
        sum.max(relu ? 0f : Float.NEGATIVE_INFINITY).intoArray(acc, accOff);
    }

    /**
     * {@link #sparseRow} of {@code W <= len < 4·W} values in one pass over the non-zeros: two to four vectors at
     * 0, W, 2·W and {@code len − W} (the last overlapping), or one vector; with fewer than three vectors the even
     * and odd non-zeros are summed apart, so that at least three chains of multiply-adds are in flight.
     */
    private static void shortSparseRow(float[] values, int[] maps, int start, int end, float[] m, int channelStride,
            int basisStride, float[] acc, int accOff, int len, float bias, boolean relu) {
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector zero = FloatVector.zero(S);
        // the ReLU as a maximum with 0, or with −∞ (nothing) without one: no vector chosen between two branches
        // (a merge of two vector values), after which C2 stores through the Vector API's slow path
        FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
        int last = len - W;
        if (len > 2 * W) {
            // three or four vectors: the third at 2·W when there is a fourth, else at the last
            int third = len > 3 * W ? 2 * W : last;
            FloatVector x0 = b;
            FloatVector x1 = zero;
            FloatVector x2 = zero;
            FloatVector x3 = zero;
            for (int e = start; e < end; e++) {
                FloatVector v = FloatVector.broadcast(S, values[e]);
                int r = Kernels.offset(maps[e], channelStride, basisStride);
                x0 = FloatVector.fromArray(S, m, r).fma(v, x0);
                x1 = FloatVector.fromArray(S, m, r + W).fma(v, x1);
                x2 = FloatVector.fromArray(S, m, r + third).fma(v, x2);
                x3 = FloatVector.fromArray(S, m, r + last).fma(v, x3);
            }
            x0 = x0.max(floor);
            x1 = x1.add(b).max(floor);
            x2 = x2.add(b).max(floor);
            x3 = x3.add(b).max(floor);
            // stored in order, each after the one it may overlap: equal values where they overlap
            x0.intoArray(acc, accOff);
            x1.intoArray(acc, accOff + W);
            x2.intoArray(acc, accOff + third);
            x3.intoArray(acc, accOff + last);
            return;
        }
        if (len < W) {
            PlainKernels.INSTANCE.sparseRow(values, maps, start, end, m, channelStride, basisStride, acc, accOff, len,
                    bias, relu);
            return;
        }
        // one or two vectors (at 0 and len − W, the same vector when len is W): even and odd non-zeros apart
        FloatVector x0 = b;
        FloatVector x1 = b;
        FloatVector y0 = zero;
        FloatVector y1 = zero;
        int e = start;
        for (; e + 1 < end; e += 2) {
            FloatVector v = FloatVector.broadcast(S, values[e]);
            FloatVector u = FloatVector.broadcast(S, values[e + 1]);
            int r = Kernels.offset(maps[e], channelStride, basisStride);
            int q = Kernels.offset(maps[e + 1], channelStride, basisStride);
            x0 = FloatVector.fromArray(S, m, r).fma(v, x0);
            x1 = FloatVector.fromArray(S, m, r + last).fma(v, x1);
            y0 = FloatVector.fromArray(S, m, q).fma(u, y0);
            y1 = FloatVector.fromArray(S, m, q + last).fma(u, y1);
        }
        if (e < end) {
            FloatVector v = FloatVector.broadcast(S, values[e]);
            int r = Kernels.offset(maps[e], channelStride, basisStride);
            x0 = FloatVector.fromArray(S, m, r).fma(v, x0);
            x1 = FloatVector.fromArray(S, m, r + last).fma(v, x1);
        }
        x0 = x0.add(y0).max(floor);
        x1 = x1.add(y1).max(floor);
        x0.intoArray(acc, accOff);
        x1.intoArray(acc, accOff + last);
    }

    @Override
    public void sparseTile(float[] values, int[] offsets, int start, int end, float[] maps, float[] acc, int accOff,
            int len, float bias, boolean relu) {
        if (len % (2 * W) != 0) {
            PlainKernels.INSTANCE.sparseTile(values, offsets, start, end, maps, acc, accOff, len, bias, relu);
            return;
        }
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        // four independent sums in flight either way: a row's non-zeros form one dependent chain per vector, and
        // two chains leave the FMA units waiting on the latency
        for (; j + 4 * W <= len; j += 4 * W) {
            FloatVector x0 = b;
            FloatVector x1 = b;
            FloatVector x2 = b;
            FloatVector x3 = b;
            for (int e = start; e < end; e++) {
                FloatVector v = FloatVector.broadcast(S, values[e]);
                int r = offsets[e] + j;
                x0 = FloatVector.fromArray(S, maps, r).fma(v, x0);
                x1 = FloatVector.fromArray(S, maps, r + W).fma(v, x1);
                x2 = FloatVector.fromArray(S, maps, r + 2 * W).fma(v, x2);
                x3 = FloatVector.fromArray(S, maps, r + 3 * W).fma(v, x3);
            }
            if (relu) {
                x0 = x0.max(zero);
                x1 = x1.max(zero);
                x2 = x2.max(zero);
                x3 = x3.max(zero);
            }
            x0.intoArray(acc, accOff + j);
            x1.intoArray(acc, accOff + j + W);
            x2.intoArray(acc, accOff + j + 2 * W);
            x3.intoArray(acc, accOff + j + 3 * W);
        }
        for (; j < len; j += 2 * W) {
            // two vectors: even and odd non-zeros summed apart, added at the end
            FloatVector x0 = b;
            FloatVector x1 = b;
            FloatVector y0 = zero;
            FloatVector y1 = zero;
            int e = start;
            for (; e + 1 < end; e += 2) {
                FloatVector v = FloatVector.broadcast(S, values[e]);
                FloatVector u = FloatVector.broadcast(S, values[e + 1]);
                int r = offsets[e] + j;
                int q = offsets[e + 1] + j;
                x0 = FloatVector.fromArray(S, maps, r).fma(v, x0);
                x1 = FloatVector.fromArray(S, maps, r + W).fma(v, x1);
                y0 = FloatVector.fromArray(S, maps, q).fma(u, y0);
                y1 = FloatVector.fromArray(S, maps, q + W).fma(u, y1);
            }
            if (e < end) {
                FloatVector v = FloatVector.broadcast(S, values[e]);
                int r = offsets[e] + j;
                x0 = FloatVector.fromArray(S, maps, r).fma(v, x0);
                x1 = FloatVector.fromArray(S, maps, r + W).fma(v, x1);
            }
            x0 = x0.add(y0);
            x1 = x1.add(y1);
            if (relu) {
                x0 = x0.max(zero);
                x1 = x1.max(zero);
            }
            x0.intoArray(acc, accOff + j);
            x1.intoArray(acc, accOff + j + W);
        }
    }

    @Override
    public void matVec(float[] w, int wOff, int out, int in, float[] x, int xOff, float[] y, int yOff) {
        int o = 0;
        // four rows at once: each loaded vector of x feeds four rows, and eight independent sums are in flight
        // where one row's two chains waited on the FMA latency
        for (; o + 4 <= out; o += 4) {
            matVec4(w, wOff + o * in, in, x, xOff, y, yOff + o);
        }
        for (; o < out; o++) {
            int wo = wOff + o * in;
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            int i = 0;
            for (; i + 2 * W <= in; i += 2 * W) {
                s0 = FloatVector.fromArray(S, w, wo + i).fma(FloatVector.fromArray(S, x, xOff + i), s0);
                s1 = FloatVector.fromArray(S, w, wo + i + W).fma(FloatVector.fromArray(S, x, xOff + i + W), s1);
            }
            for (; i + W <= in; i += W) {
                s0 = FloatVector.fromArray(S, w, wo + i).fma(FloatVector.fromArray(S, x, xOff + i), s0);
            }
            float tail = 0f;
            for (; i < in; i++) {
                tail += w[wo + i] * x[xOff + i];
            }
            y[yOff + o] = s0.add(s1).reduceLanes(VectorOperators.ADD) + tail;
        }
    }

    /** Rows {@code w0}, {@code w0 + in}, ... of {@link #matVec}, four of them, into {@code y[yOff..yOff + 4)}. */
    private static void matVec4(float[] w, int w0, int in, float[] x, int xOff, float[] y, int yOff) {
        int w1 = w0 + in;
        int w2 = w1 + in;
        int w3 = w2 + in;
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S);
        FloatVector s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S);
        FloatVector s21 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S);
        FloatVector s31 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * W <= in; i += 2 * W) {
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(S, x, xOff + i + W);
            s00 = FloatVector.fromArray(S, w, w0 + i).fma(x0, s00);
            s01 = FloatVector.fromArray(S, w, w0 + i + W).fma(x1, s01);
            s10 = FloatVector.fromArray(S, w, w1 + i).fma(x0, s10);
            s11 = FloatVector.fromArray(S, w, w1 + i + W).fma(x1, s11);
            s20 = FloatVector.fromArray(S, w, w2 + i).fma(x0, s20);
            s21 = FloatVector.fromArray(S, w, w2 + i + W).fma(x1, s21);
            s30 = FloatVector.fromArray(S, w, w3 + i).fma(x0, s30);
            s31 = FloatVector.fromArray(S, w, w3 + i + W).fma(x1, s31);
        }
        if (i + W <= in) {
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + i);
            s00 = FloatVector.fromArray(S, w, w0 + i).fma(x0, s00);
            s10 = FloatVector.fromArray(S, w, w1 + i).fma(x0, s10);
            s20 = FloatVector.fromArray(S, w, w2 + i).fma(x0, s20);
            s30 = FloatVector.fromArray(S, w, w3 + i).fma(x0, s30);
            i += W;
        }
        float t0 = 0f;
        float t1 = 0f;
        float t2 = 0f;
        float t3 = 0f;
        for (; i < in; i++) {
            float xi = x[xOff + i];
            t0 += w[w0 + i] * xi;
            t1 += w[w1 + i] * xi;
            t2 += w[w2 + i] * xi;
            t3 += w[w3 + i] * xi;
        }
        y[yOff] = s00.add(s01).reduceLanes(VectorOperators.ADD) + t0;
        y[yOff + 1] = s10.add(s11).reduceLanes(VectorOperators.ADD) + t1;
        y[yOff + 2] = s20.add(s21).reduceLanes(VectorOperators.ADD) + t2;
        y[yOff + 3] = s30.add(s31).reduceLanes(VectorOperators.ADD) + t3;
    }

    /**
     * Each vector of pooled values from four plain loads (the windows' top row, the top row one value on, the same
     * of the bottom row): their maximum holds a window's maximum in every even lane, which one rearrangement packs
     * into the low half, stored as a whole vector; W / 2 pooled values a vector. Measured against the four gathers
     * of even lanes this kernel ran before, which cost about 16 loads each; one species throughout (a second
     * species' vectors, flowing through the same JDK methods, made C2 fail the store intrinsic elsewhere). A
     * vector's upper half runs on over the next values, stored next; the rows whose last vector would reach past
     * the last pooled row (every row of a pooled map narrower than W values, the last row or two of the others)
     * are pooled into a thread's own buffer and copied, so nothing outside the pooled rows is written: a band's
     * rows next to another thread's rows at batch 1.
     */
    @Override
    public void maxPool2Rows(float[] a, int a0, int rowStride, int pooledRows, float[] out, int outOff, int count) {
        int last = (count - 1) / HALF * HALF;
        int outEnd = outOff + pooledRows * count;
        float[] spare = null;
        for (int py = 0; py < pooledRows; py++) {
            int r0 = a0 + 2 * py * rowStride;
            int r1 = r0 + rowStride;
            int d = outOff + py * count;
            if (r1 + 2 * last + W + 1 > a.length) {
                Kernels.super.maxPool2(a, r0, r1, out, d, count);
            } else if (d + last + W <= outEnd) {
                pairs(a, r0, r1, out, d, count);
            } else {
                if (spare == null) {
                    spare = SPARE.atLeast(last + W);
                }
                pairs(a, r0, r1, spare, 0, count);
                for (int i = 0; i < count; i++) {
                    out[d + i] = spare[i];
                }
            }
        }
    }

    /** Pooled values of one row pair, HALF a vector, each vector stored whole. */
    private static void pairs(float[] a, int r0, int r1, float[] out, int d, int count) {
        for (int i = 0; i < count; i += HALF) {
            int x = 2 * i;
            FloatVector top = FloatVector.fromArray(S, a, r0 + x).max(FloatVector.fromArray(S, a, r0 + x + 1));
            FloatVector bottom = FloatVector.fromArray(S, a, r1 + x).max(FloatVector.fromArray(S, a, r1 + x + 1));
            top.max(bottom).rearrange(EVEN_LOW).intoArray(out, d + i);
        }
    }

    /** Pooled values a vector holds: its even lanes'. */
    private static final int HALF = W / 2;

    /** Lane i takes lane 2i (the low half), the upper half what it may. */
    private static final VectorShuffle<Float> EVEN_LOW = VectorShuffle.fromOp(S, i -> 2 * i % W);

    /** Each thread's buffer for pooled rows whose last vector would reach past the last pooled row. */
    private static final ThreadBuffer SPARE = new ThreadBuffer();

    @Override
    public void maxPool2(float[] a, int r0, int r1, float[] out, int outOff, int count) {
        maxPool2Rows(a, r0, r1 - r0, 1, out, outOff, count);
    }

    /** Every second value of two vectors' worth: a gather's lane offsets. */
    private static final int[] EVEN_LANES = evenLanes();

    private static int[] evenLanes() {
        int[] lanes = new int[W];
        for (int i = 0; i < W; i++) {
            lanes[i] = 2 * i;
        }
        return lanes;
    }

    /**
     * Zero, added to a loaded vector before it is stored: stored as loaded, JDK 17's store intrinsic failed here
     * (C2 could not tell the vector's exact class) and stored through the Vector API's slow path, an allocation
     * and a lambda per vector; the sum's class is exact. Seen with -XX:+PrintInlining ("failed to inline
     * (intrinsic)"): the row copies made the model 1.5-1.7x slower.
     */
    private static final FloatVector ZERO = FloatVector.zero(S);

    /**
     * Rows a few vectors long (a small map's) as whole vectors, a row's last vector running on into the rows after
     * it, which their own copy rewrites; a row whose vectors would reach past the last row's end, or read past the
     * source array, one value at a time (a call to {@code System.arraycopy} per row of 7 to 28 values costs more
     * than the copy: 4-7 ns a row against 4 for two vectors, measured).
     */
    @Override
    public void copyRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows,
            int len) {
        int whole = (len + W - 1) / W * W;
        int dstEnd = dstOff + (rows - 1) * dstStride + len;
        for (int y = 0; y < rows; y++) {
            int from = srcOff + y * srcStride;
            int to = dstOff + y * dstStride;
            if (to + whole <= dstEnd && from + whole <= src.length) {
                for (int j = 0; j < len; j += W) {
                    FloatVector.fromArray(S, src, from + j).add(ZERO).intoArray(dst, to + j);
                }
            } else {
                for (int j = 0; j < len; j++) {
                    dst[to + j] = src[from + j];
                }
            }
        }
    }

    /**
     * Whole vectors by gather loads (a 512-channel 4 × 4 layer's maps for four images: 39 µs against 217 µs value
     * by value, one thread), the rest value by value.
     */
    @Override
    public void gather(float[] src, int srcOff, int[] index, int len, float[] dst, int dstOff) {
        int i = 0;
        for (; i + W <= len; i += W) {
            FloatVector.fromArray(S, src, srcOff, index, i).intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = src[srcOff + index[i]];
        }
    }

    /**
     * As {@link #copyRows}, every second value gathered a vector at a time (7 ns a row of 7 or 14 values against
     * 10-13 one value at a time, measured on this machine's JDK 17; its two-vector rearrange measured slower).
     */
    @Override
    public void copyRowsStride2(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride,
            int rows, int len) {
        int whole = (len + W - 1) / W * W;
        int dstEnd = dstOff + (rows - 1) * dstStride + len;
        for (int y = 0; y < rows; y++) {
            int from = srcOff + y * srcStride;
            int to = dstOff + y * dstStride;
            if (to + whole <= dstEnd && from + 2 * whole <= src.length + 1) {
                for (int j = 0; j < len; j += W) {
                    FloatVector.fromArray(S, src, from + 2 * j, EVEN_LANES, 0).intoArray(dst, to + j);
                }
            } else {
                for (int j = 0; j < len; j++) {
                    dst[to + j] = src[from + 2 * j];
                }
            }
        }
    }

    /** Half a vector of ints: a long's low half each, where a float pair's even value lies. */
    private static final VectorSpecies<Integer> PAIR_HALVES = IntVector.SPECIES_256;

    /**
     * With 512-bit vectors, 16 values loaded at once as eight longs, each long's low half (the even value) and high
     * half (the odd one) narrowed to eight ints: 100 ns for both phases of 28 rows of 28 values against 377 for two
     * gathers a row (one thread, this machine's JDK 17). Other widths gather, as {@link #copyRowsStride2}.
     */
    @Override
    public void copyRowsDeinterleaved(float[] src, int srcOff, int srcStride, float[] dst, int evenOff, int evenLen,
            int evenLimit, int oddOff, int oddLen, int oddLimit, int dstStride, int rows) {
        if (W != 16) {
            copyRowsStride2(src, srcOff, srcStride, dst, evenOff, dstStride, rows, evenLen);
            copyRowsStride2(src, srcOff + 1, srcStride, dst, oddOff, dstStride, rows, oddLen);
            return;
        }
        int half = PAIR_HALVES.length();
        int whole = (Math.max(evenLen, oddLen) + half - 1) / half * half;
        for (int y = 0; y < rows; y++) {
            int from = srcOff + y * srcStride;
            int even = evenOff + y * dstStride;
            int odd = oddOff + y * dstStride;
            if (from + 2 * whole <= src.length && even + whole <= evenLimit && odd + whole <= oddLimit) {
                for (int k = 0; k < whole; k += half) {
                    LongVector pairs = FloatVector.fromArray(S, src, from + 2 * k).reinterpretAsLongs();
                    ((IntVector) pairs.convertShape(VectorOperators.L2I, PAIR_HALVES, 0)).reinterpretAsFloats()
                            .intoArray(dst, even + k);
                    ((IntVector) pairs.lanewise(VectorOperators.LSHR, 32)
                            .convertShape(VectorOperators.L2I, PAIR_HALVES, 0)).reinterpretAsFloats()
                            .intoArray(dst, odd + k);
                }
            } else {
                for (int j = 0; j < evenLen; j++) {
                    dst[even + j] = src[from + 2 * j];
                }
                for (int j = 0; j < oddLen; j++) {
                    dst[odd + j] = src[from + 2 * j + 1];
                }
            }
        }
    }

    @Override
    public void bias(float[] acc, int off, int len, float bias, boolean relu) {
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        // the ReLU decided outside the loops, as in addInto
        if (relu) {
            for (; j + W <= len; j += W) {
                FloatVector.fromArray(S, acc, off + j).add(b).max(zero).intoArray(acc, off + j);
            }
        } else {
            for (; j + W <= len; j += W) {
                FloatVector.fromArray(S, acc, off + j).add(b).intoArray(acc, off + j);
            }
        }
        // the tail one value at a time: the values past len may be another row's, not yet stored
        for (; j < len; j++) {
            float v = acc[off + j] + bias;
            acc[off + j] = relu ? Math.max(0f, v) : v;
        }
    }

    @Override
    public void addInto(float[] acc, int accOff, float[] out, int outOff, int len, boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        // the ReLU decided outside the loops: a vector chosen between two inside a loop (a merge of two vector
        // values) is one C2 may box, an allocation per vector
        if (relu) {
            for (; j + W <= len; j += W) {
                FloatVector.fromArray(S, out, outOff + j).add(FloatVector.fromArray(S, acc, accOff + j)).max(zero)
                        .intoArray(out, outOff + j);
            }
        } else {
            for (; j + W <= len; j += W) {
                FloatVector.fromArray(S, out, outOff + j).add(FloatVector.fromArray(S, acc, accOff + j))
                        .intoArray(out, outOff + j);
            }
        }
        // the tail one value at a time: a masked store would rewrite the values after it, maybe another thread's
        for (; j < len; j++) {
            float v = out[outOff + j] + acc[accOff + j];
            out[outOff + j] = relu ? Math.max(0f, v) : v;
        }
    }
}
