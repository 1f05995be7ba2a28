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
    default void gemm(float[] a, int aOff, int lda, int rows, int depth, float[] b, int[] bRows, int bRowsOff,
            float[] c, int cOff, int ldc, int len) {
        gemm(a, aOff, lda, rows, depth, b, bRows, bRowsOff, 0, c, cOff, ldc, len);
    }

    /**
     * {@link #gemm(float[], int, int, int, int, float[], int[], int, float[], int, int, int)} with every row of b
     * read {@code bShift} floats further on: {@code c[cOff + i·ldc + j] = Σ_p a[aOff + i·lda + p] ·
     * b[bRows[bRowsOff + p] + bShift + j]}. A tile of a staged channel's taps, without rewriting the row table.
     *
     * @param bShift added to every row start of b
     */
    void gemm(float[] a, int aOff, int lda, int rows, int depth, float[] b, int[] bRows, int bRowsOff, int bShift,
            float[] c, int cOff, int ldc, int len);

    /** Rows of a block of a packed left matrix ({@link #pack}): the vector kernel's widest block. */
    int PACK_ROWS = 8;

    /**
     * Packs a left matrix for {@link #gemmPacked}: its rows in blocks of {@link #PACK_ROWS} from the first,
     * each block depth-major (row r of a block, value p, at {@code block·PACK_ROWS·depth + p·PACK_ROWS + r}), the
     * last block's missing rows zero. A block's values at one depth then lie in one cache line, and a product
     * reads them through one linear index.
     *
     * @param a the matrix
     * @param aOff its first element
     * @param lda its row stride
     * @param rows its rows
     * @param depth its columns
     * @return the packed matrix, {@link #packedFloats(int, int)} long
     */
    static float[] pack(float[] a, int aOff, int lda, int rows, int depth) {
        float[] packed = new float[packedFloats(rows, depth)];
        for (int i = 0; i < rows; i++) {
            int dest = i / PACK_ROWS * PACK_ROWS * depth + i % PACK_ROWS;
            for (int p = 0; p < depth; p++) {
                packed[dest + p * PACK_ROWS] = a[aOff + i * lda + p];
            }
        }
        return packed;
    }

    /** @return floats {@link #pack} makes of {@code rows} rows of {@code depth} values */
    static int packedFloats(int rows, int depth) {
        return (rows + PACK_ROWS - 1) / PACK_ROWS * PACK_ROWS * depth;
    }

    /**
     * {@link #gemm(float[], int, int, int, int, float[], int[], int, float[], int, int, int)} on a packed left
     * matrix: rows {@code [first, first + rows)} of the block of {@link #pack} that starts at {@code block}, c's
     * row i being the block's row {@code first + i}.
     *
     * @param packed the packed matrix
     * @param block where the block starts: a multiple of {@code PACK_ROWS · depth}
     * @param first the block's first row used
     * @param rows rows used, {@code first + rows <= PACK_ROWS}
     * @param depth values per row, rows of b
     * @param b the array holding b's rows
     * @param bRows where each of b's rows starts
     * @param bRowsOff the first entry of bRows used
     * @param c the result (overwritten)
     * @param cOff its first element
     * @param ldc its row stride
     * @param len columns of b and c
     */
    void gemmPacked(float[] packed, int block, int first, int rows, int depth, float[] b, int[] bRows, int bRowsOff,
            float[] c, int cOff, int ldc, int len);

    /** Output channels one product of {@link #gemmColumns} covers: four 512-bit vectors' lanes. */
    int COLUMN_BLOCK = 64;

    /** Output positions one product of {@link #gemmColumns} covers. */
    int POSITION_TILE = 4;

    /**
     * A product with the output channels across the vector lanes, for a convolution whose feature maps are too
     * small to fill vectors with positions: for the {@link #POSITION_TILE} positions r of a tile of a packed im2col
     * matrix ({@code a}: depth-major, a depth's values of the tile's positions side by side) and the
     * {@link #COLUMN_BLOCK} output channels j of a block of a packed weight ({@code w}: depth-major, a depth's
     * weights of the block's channels side by side), {@code c[cOff + r·COLUMN_BLOCK + j] = Σ_p a[aOff +
     * p·POSITION_TILE + r] · w[wOff + p·COLUMN_BLOCK + j]}, {@code p < depth}; added to what c holds when
     * {@code accumulate}, so that a long depth can run in chunks whose weights stay in cache.
     *
     * @param w the packed weight
     * @param wOff the first weight of the block's chunk
     * @param depth depth values in the chunk
     * @param a the packed im2col matrix
     * @param aOff the first value of the tile's chunk
     * @param c the result, {@code POSITION_TILE × COLUMN_BLOCK} floats position-major
     * @param cOff its first element
     * @param accumulate whether to add to c (else c is overwritten)
     */
    void gemmColumns(float[] w, int wOff, int depth, float[] a, int aOff, float[] c, int cOff, boolean accumulate);

    /**
     * One output channel of a tile of a fused decomposed convolution: the tile's basis maps lie one after another
     * in {@code maps}, and {@code acc[accOff + j] = act(bias + Σ_e values[e] · maps[offsets[e] + j])} for
     * {@code start <= e < end}, {@code j < len}, act the ReLU or the identity.
     *
     * @param values the channel's non-zero coefficients
     * @param offsets where each one's map starts in {@code maps}
     * @param start first entry
     * @param end one past the last entry
     * @param maps the tile's maps
     * @param acc the result (overwritten)
     * @param accOff its first element
     * @param len values per map: a multiple of {@link #TILE_UNIT}
     * @param bias added to each value
     * @param relu whether to apply the ReLU
     */
    void sparseTile(float[] values, int[] offsets, int start, int end, float[] maps, float[] acc, int accOff, int len,
            float bias, boolean relu);

    /** Tiles of {@link #sparseTile} are multiples of this many floats (two 512-bit vectors). */
    int TILE_UNIT = 32;

    /**
     * Values a row shorter than one vector may be written and read from its start (one 512-bit vector): the vector
     * kernels run such a row ({@link #gemm}'s, {@link #sparseRow}'s) as one whole vector, writing past its end into
     * what follows (a later row of the same call, which rewrites it, or the caller's slack, {@link Scratch#SLACK})
     * and reading past its maps' ends. They fall back to plain loops where the arrays end sooner.
     */
    int ROW_SLACK = 16;

    /**
     * One output row of a sparse 1×1 convolution over maps laid out by input channel and basis: entry e's map
     * is {@code maps[e] = channel << 8 | basis}, and
     * {@code acc[accOff + j] = act(bias + Σ_e values[e] · m[channel·channelStride + basis·basisStride + j])} for
     * {@code start <= e < end}, {@code j < len}, act the ReLU or the identity: the epilogue's bias and ReLU are
     * applied while the row is still in registers.
     *
     * @param values the row's non-zero coefficients
     * @param maps each coefficient's map, {@link #map(int, int)}
     * @param start first entry
     * @param end one past the last entry
     * @param m the maps
     * @param channelStride floats from one input channel's maps to the next
     * @param basisStride floats from one basis's maps to the next
     * @param acc the result (overwritten)
     * @param accOff its first element
     * @param len values per map
     * @param bias added to each value
     * @param relu whether to apply the ReLU
     */
    void sparseRow(float[] values, int[] maps, int start, int end, float[] m, int channelStride, int basisStride,
            float[] acc, int accOff, int len, float bias, boolean relu);

    /**
     * A convolution's epilogue on computed values, in place: {@code acc[off + j] = act(acc[off + j] + bias)} for
     * {@code j < len}, act the ReLU or the identity. Only {@code [off, off + len)} changes.
     *
     * @param acc the values, a thread's own array
     * @param off the first
     * @param len how many
     * @param bias added to each
     * @param relu whether to apply the ReLU
     */
    void bias(float[] acc, int off, int len, float bias, boolean relu);

    /**
     * A fused residual add on stored values: {@code out[outOff + j] = act(out[outOff + j] + acc[accOff + j])} for
     * {@code j < len}, where out already holds the residual (it may be the residual's own buffer, updated in
     * place). Reads and writes nothing of out outside that range (other threads may own what is next to it).
     *
     * @param acc the computed values, bias added
     * @param accOff the first
     * @param out the residual, becoming the output
     * @param outOff the first
     * @param len how many
     * @param relu whether to apply the ReLU
     */
    void addInto(float[] acc, int accOff, float[] out, int outOff, int len, boolean relu);

    /**
     * A 2×2 max pooling of two computed rows: {@code out[outOff + i] = max(a[r0 + 2i], a[r0 + 2i + 1], a[r1 + 2i],
     * a[r1 + 2i + 1])} for {@code i < count}. The values are finite.
     *
     * @param a the computed rows
     * @param r0 where the first row starts
     * @param r1 where the second row starts
     * @param out the pooled row's array
     * @param outOff where it starts
     * @param count pooled values
     */
    default void maxPool2(float[] a, int r0, int r1, float[] out, int outOff, int count) {
        // comparisons, not Math.max: its NaN and signed-zero rules cost branches, and the values are finite
        for (int i = 0; i < count; i++) {
            int x = 2 * i;
            float top = a[r0 + x] > a[r0 + x + 1] ? a[r0 + x] : a[r0 + x + 1];
            float bottom = a[r1 + x] > a[r1 + x + 1] ? a[r1 + x] : a[r1 + x + 1];
            out[outOff + i] = top > bottom ? top : bottom;
        }
    }

    /**
     * {@link #maxPool2} over consecutive pairs of computed rows: pooled row {@code py < pooledRows} from rows
     * {@code a0 + 2·py·rowStride} and the one after it, stored at {@code outOff + py·count}.
     *
     * @param a the computed rows
     * @param a0 where the first row starts
     * @param rowStride values per computed row, at least {@code 2·count}
     * @param pooledRows pooled rows
     * @param out the pooled rows' array
     * @param outOff where the first starts
     * @param count pooled values per row
     */
    default void maxPool2Rows(float[] a, int a0, int rowStride, int pooledRows, float[] out, int outOff, int count) {
        for (int py = 0; py < pooledRows; py++) {
            int r0 = a0 + 2 * py * rowStride;
            maxPool2(a, r0, r0 + rowStride, out, outOff + py * count, count);
        }
    }

    /**
     * Copies {@code rows} rows of {@code len} values: row y from {@code src[srcOff + y·srcStride]} to
     * {@code dst[dstOff + y·dstStride]}, in order. The vector kernel copies whole vectors where it may: a row but
     * the last may be written past its end, over the start of the rows after it (rewritten by their own copy
     * next) and never past the end of the last row; so the values between two destination rows (a staged
     * row's padding) must be written after this call. The source may be read past a row's end.
     *
     * @param src the source array
     * @param srcOff the first row's start
     * @param srcStride values between two source rows
     * @param dst the destination array, not the source's
     * @param dstOff the first row's start
     * @param dstStride values between two destination rows, at least {@code len}
     * @param rows rows
     * @param len values per row
     */
    default void copyRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows,
            int len) {
        for (int y = 0; y < rows; y++) {
            System.arraycopy(src, srcOff + y * srcStride, dst, dstOff + y * dstStride, len);
        }
    }

    /**
     * Copies every second value of rows: {@code dst[dstOff + y·dstStride + j] = src[srcOff + y·srcStride + 2·j]}
     * for {@code j < len}, {@code y < rows}; may write past a row's end as {@link #copyRows} does.
     *
     * @param src the source array
     * @param srcOff the first row's start
     * @param srcStride values between two source rows
     * @param dst the destination array, not the source's
     * @param dstOff the first row's start
     * @param dstStride values between two destination rows, at least {@code len}
     * @param rows rows
     * @param len values written per row
     */
    default void copyRowsStride2(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride,
            int rows, int len) {
        for (int y = 0; y < rows; y++) {
            int from = srcOff + y * srcStride;
            int to = dstOff + y * dstStride;
            for (int j = 0; j < len; j++) {
                dst[to + j] = src[from + 2 * j];
            }
        }
    }

    /**
     * Splits rows into their even and odd values: {@code dst[evenOff + y·dstStride + j] = src[srcOff + y·srcStride +
     * 2·j]} for {@code j < evenLen} and {@code dst[oddOff + y·dstStride + j] = src[srcOff + y·srcStride + 2·j + 1]}
     * for {@code j < oddLen}, {@code y < rows}: a stride-2 input's two column phases in one pass. May write past a
     * row's end, as {@link #copyRows} does, but never at or past {@code evenLimit} and {@code oddLimit}.
     *
     * @param src the source array
     * @param srcOff the first row's start
     * @param srcStride values between two source rows
     * @param dst the destination array, not the source's
     * @param evenOff where the first row's even values go
     * @param evenLen even values per row
     * @param evenLimit where the even values' rows must stop writing
     * @param oddOff where the first row's odd values go
     * @param oddLen odd values per row
     * @param oddLimit where the odd values' rows must stop writing
     * @param dstStride values between two destination rows, at least either length
     * @param rows rows
     */
    default void copyRowsDeinterleaved(float[] src, int srcOff, int srcStride, float[] dst, int evenOff, int evenLen,
            int evenLimit, int oddOff, int oddLen, int oddLimit, int dstStride, int rows) {
        for (int y = 0; y < rows; y++) {
            int from = srcOff + y * srcStride;
            for (int j = 0; j < evenLen; j++) {
                dst[evenOff + y * dstStride + j] = src[from + 2 * j];
            }
            for (int j = 0; j < oddLen; j++) {
                dst[oddOff + y * dstStride + j] = src[from + 2 * j + 1];
            }
        }
    }

    /**
     * Copies values picked by an index: {@code dst[dstOff + i] = src[srcOff + index[i]]} for {@code i < len}.
     *
     * @param src the source array
     * @param srcOff where the indices count from
     * @param index each value's place after {@code srcOff}
     * @param len values
     * @param dst the destination array, not the source's
     * @param dstOff the first value's place
     */
    default void gather(float[] src, int srcOff, int[] index, int len, float[] dst, int dstOff) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = src[srcOff + index[i]];
        }
    }

    /** Bases per layer at most (a k×k kernel has at most k·k; 255 covers k ≤ 15). */
    int MAX_BASES = 255;

    /**
     * @param channel an input channel
     * @param basis a basis, below {@link #MAX_BASES}
     * @return the map's entry for {@link #sparseRow}
     */
    static int map(int channel, int basis) {
        return channel << 8 | basis;
    }

    /**
     * @param map an entry made by {@link #map(int, int)}
     * @return where the map starts
     */
    static int offset(int map, int channelStride, int basisStride) {
        return (map >>> 8) * channelStride + (map & 0xff) * basisStride;
    }

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
