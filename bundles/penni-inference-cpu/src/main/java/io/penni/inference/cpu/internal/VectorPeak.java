package io.penni.inference.cpu.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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

    static double run(long nanos) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f);
        FloatVector a1 = FloatVector.broadcast(S, 1.1f);
        FloatVector a2 = FloatVector.broadcast(S, 1.2f);
        FloatVector a3 = FloatVector.broadcast(S, 1.3f);
        FloatVector a4 = FloatVector.broadcast(S, 1.4f);
        FloatVector a5 = FloatVector.broadcast(S, 1.5f);
        FloatVector a6 = FloatVector.broadcast(S, 1.6f);
        FloatVector a7 = FloatVector.broadcast(S, 1.7f);
        FloatVector a8 = FloatVector.broadcast(S, 1.8f);
        FloatVector a9 = FloatVector.broadcast(S, 1.9f);
        FloatVector a10 = FloatVector.broadcast(S, 2f);
        FloatVector a11 = FloatVector.broadcast(S, 2.1f);
        long end = System.nanoTime() + nanos;
        long blocks = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
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
            blocks++;
        }
        FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10)
                .add(a11);
        sink = sum.reduceLanes(VectorOperators.ADD);
        return blocks * 10_000.0 * 12 * 2 * S.length();
    }
}
