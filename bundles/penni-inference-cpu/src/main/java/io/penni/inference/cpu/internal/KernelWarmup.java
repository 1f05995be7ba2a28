package io.penni.inference.cpu.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Runs every kernel on small problems until the JIT has compiled it, once per JVM and kernel set. Without this,
 * the first layers a model tunes would time interpreted code (the Vector API runs hundreds of times slower
 * before C2 compiles it) and pick the wrong kernel.
 */
public final class KernelWarmup {

    private static final Set<Kernels> WARM = Collections.synchronizedSet(Collections.newSetFromMap(
            new IdentityHashMap<>()));

    /** Calls per round; rounds go on until a round is no longer faster than the best before it. */
    private static final int CALLS = 300;
    private static final int MAX_ROUNDS = 80;
    private static final int STABLE_ROUNDS = 4;

    private KernelWarmup() {
    }

    /**
     * Warms a kernel set up, unless it already is.
     *
     * @param kernels the kernels
     */
    public static void warm(Kernels kernels) {
        if (!WARM.add(kernels)) {
            return;
        }
        // big enough that every loop of every kernel, main and tail, runs many times per call
        int len = 100;
        int depth = 80;
        float[] a = new float[Step.ROW_BLOCK * depth];
        float[] b = new float[depth * len + 64];
        float[] c = new float[Step.ROW_BLOCK * len];
        int[] rows = new int[depth];
        int[] maps = new int[depth];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 7) * 0.1f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 5) * 0.2f;
        }
        for (int p = 0; p < depth; p++) {
            rows[p] = p * len;
            maps[p] = Kernels.map(0, p);
        }
        // C2 compiles in the background, slowly on a busy machine: keep going until the speed settles
        long best = Long.MAX_VALUE;
        int stable = 0;
        for (int round = 0; round < MAX_ROUNDS && stable < STABLE_ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                kernels.gemm(a, 0, depth, 5, depth, b, rows, 0, c, 0, len, len - (i & 7));
                // a packed block's five to eight rows (the wide block, each of its stores), and rows after the first
                kernels.gemmPacked(a, 0, 0, 5 + (i & 3), depth, b, rows, 0, c, 0, len, len - (i & 7));
                kernels.gemmPacked(a, 0, 1 + (i & 1), 6, depth, b, rows, 0, c, 0, len, len - (i & 7));
                kernels.gemm(a, 0, depth, 2 + (i & 1), depth, b, rows, 0, c, 0, len, len - (i & 7));
                kernels.sparseRow(a, maps, 0, 6 + (i & 3), b, 0, len, c, 0, len - (i & 7), 0.5f, (i & 1) == 0);
                kernels.sparseTile(a, rows, 0, 6 + (i & 3), b, c, 0, Kernels.TILE_UNIT * (1 + (i & 1)), 0.5f,
                        (i & 1) == 0);
                kernels.gemm(a, 0, depth, 5, 9, b, rows, 0, i & 7, c, 0, Kernels.TILE_UNIT, Kernels.TILE_UNIT);
                kernels.matVec(b, 0, 5, depth - (i & 7), a, 0, c, 0);
                kernels.bias(c, 0, len - (i & 7), 0.5f, (i & 1) == 0);
                kernels.addInto(c, 0, b, 0, len - (i & 15), (i & 1) == 0);
                // short rows, a 7 x 7 map's band: one block of five rows or fewer, a short sparse row
                kernels.gemm(a, 0, depth, 5, 9, b, rows, 0, c, 0, len, 54 + (i & 7));
                kernels.gemm(a, 0, depth, 1 + (i & 3), 9, b, rows, 0, c, 0, len, 20 + (i & 31));
                kernels.sparseRow(a, maps, 0, 6 + (i & 3), b, 0, len, c, 0, 20 + (i & 31), 0.5f, (i & 1) == 0);
                // rows shorter than two vectors: 4 x 4 and 2 x 2 maps, the 1 x 1 convolutions of a 4 x 4 map
                kernels.gemm(a, 0, depth, 1 + (i & 7), 9, b, rows, 0, c, 0, len, 4 + (i & 15));
                kernels.gemmPacked(a, 0, 0, 5 + (i & 3), depth, b, rows, 0, c, 0, len, 4 + (i & 31));
                kernels.sparseRow(a, maps, 0, 6 + (i & 3), b, 0, len, c, 0, 4 + (i & 15), 0.5f, (i & 1) == 0);
                kernels.maxPool2(b, 0, len, c, 0, len / 2 - (i & 7));
                kernels.maxPool2Rows(b, 0, 2 * len, 3, c, 0, 3 + (i & 15));
            }
            long t = System.nanoTime() - t0;
            stable = t < best * 0.95 ? 0 : stable + 1;
            best = Math.min(best, t);
        }
    }
}
