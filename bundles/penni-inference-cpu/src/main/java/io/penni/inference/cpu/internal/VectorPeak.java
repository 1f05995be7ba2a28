package io.penni.inference.cpu.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API FMA loop of the peak measurement. */
final class VectorPeak {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private VectorPeak() {
    }

    static int bits() {
        return S.vectorBitSize();
    }

    /**
     * Runs blocks of FMAs until {@code nanos} have passed. Each block is its own short call, so C2 compiles it
     * as a whole method with the accumulators in registers rather than as an on-stack replacement of one
     * endless loop, which here kept the vectors boxed.
     */
    static double run(long nanos) {
        float[] state = new float[12 * S.length()];
        java.util.Arrays.fill(state, 1f);
        long end = System.nanoTime() + nanos;
        long blocks = 0;
        while (System.nanoTime() < end) {
            block(state);
            blocks++;
        }
        sink = state[0];
        return blocks * (double) BLOCK * 12 * 2 * S.length();
    }

    private static final int BLOCK = 2_000;

    private static void block(float[] state) {
        int w = S.length();
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.fromArray(S, state, 0);
        FloatVector a1 = FloatVector.fromArray(S, state, w);
        FloatVector a2 = FloatVector.fromArray(S, state, 2 * w);
        FloatVector a3 = FloatVector.fromArray(S, state, 3 * w);
        FloatVector a4 = FloatVector.fromArray(S, state, 4 * w);
        FloatVector a5 = FloatVector.fromArray(S, state, 5 * w);
        FloatVector a6 = FloatVector.fromArray(S, state, 6 * w);
        FloatVector a7 = FloatVector.fromArray(S, state, 7 * w);
        FloatVector a8 = FloatVector.fromArray(S, state, 8 * w);
        FloatVector a9 = FloatVector.fromArray(S, state, 9 * w);
        FloatVector a10 = FloatVector.fromArray(S, state, 10 * w);
        FloatVector a11 = FloatVector.fromArray(S, state, 11 * w);
        for (int i = 0; i < BLOCK; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        a0.intoArray(state, 0);
        a1.intoArray(state, w);
        a2.intoArray(state, 2 * w);
        a3.intoArray(state, 3 * w);
        a4.intoArray(state, 4 * w);
        a5.intoArray(state, 5 * w);
        a6.intoArray(state, 6 * w);
        a7.intoArray(state, 7 * w);
        a8.intoArray(state, 8 * w);
        a9.intoArray(state, 9 * w);
        a10.intoArray(state, 10 * w);
        a11.intoArray(state, 11 * w);
    }
}
