package io.penni.trainer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batch norm's per-channel sums with the Vector API: the plain loops' float sums cannot be vectorised by the JIT
 * (it keeps their order), and they took most of a batch norm's time. Sums run in vector lanes, each lane in order,
 * and the lanes are added at the end; the tail runs in lane 0 onwards of a masked vector. Loaded only where the JVM
 * has the Vector API module (see {@code EagerNetwork.VECTOR}).
 */
final class VectorSums {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorSums() {
    }

    /** @return the vector's lanes; the first call loads the Vector API, so it fails where the JVM lacks it */
    static int lanes() {
        return S.length();
    }

    /** @return {@code Σ v} */
    static double sum(float[] v) {
        FloatVector a = FloatVector.zero(S);
        FloatVector b = a;
        int i = 0;
        int bound = S.loopBound(v.length);
        for (; i + S.length() < bound; i += 2 * S.length()) {
            a = a.add(FloatVector.fromArray(S, v, i));
            b = b.add(FloatVector.fromArray(S, v, i + S.length()));
        }
        for (; i < v.length; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, v.length);
            a = a.add(FloatVector.fromArray(S, v, i, m));
        }
        return (double) a.reduceLanes(VectorOperators.ADD) + b.reduceLanes(VectorOperators.ADD);
    }

    /** @return {@code Σ (v − m)²} */
    static double squaredDeviation(float[] v, float mean) {
        FloatVector m = FloatVector.broadcast(S, mean);
        FloatVector a = FloatVector.zero(S);
        FloatVector b = a;
        int i = 0;
        int bound = S.loopBound(v.length);
        for (; i + S.length() < bound; i += 2 * S.length()) {
            FloatVector p = FloatVector.fromArray(S, v, i).sub(m);
            FloatVector q = FloatVector.fromArray(S, v, i + S.length()).sub(m);
            a = p.fma(p, a);
            b = q.fma(q, b);
        }
        for (; i < v.length; i += S.length()) {
            VectorMask<Float> k = S.indexInRange(i, v.length);
            FloatVector p = FloatVector.fromArray(S, v, i, k).sub(m, k);
            a = p.fma(p, a);
        }
        return (double) a.reduceLanes(VectorOperators.ADD) + b.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@code Σ g} and {@code Σ g·(x − m)}, with {@code g} first zeroed (in place) where
     * {@code (x − m)·scale + shift} is not positive when {@code masked} (the folded ReLU cut the output there).
     *
     * @return the two sums
     */
    static double[] sums(float[] x, float[] g, float mean, float scale, float shift, boolean masked) {
        FloatVector m = FloatVector.broadcast(S, mean);
        FloatVector sc = FloatVector.broadcast(S, scale);
        FloatVector sh = FloatVector.broadcast(S, shift);
        FloatVector zero = FloatVector.zero(S);
        FloatVector a = zero;
        FloatVector c = zero;
        int i = 0;
        int bound = S.loopBound(g.length);
        for (; i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, i).sub(m);
            FloatVector gv = FloatVector.fromArray(S, g, i);
            if (masked) {
                gv = gv.blend(zero, d.fma(sc, sh).compare(VectorOperators.LE, 0f));
                gv.intoArray(g, i);
            }
            a = a.add(gv);
            c = gv.fma(d, c);
        }
        if (i < g.length) {
            VectorMask<Float> k = S.indexInRange(i, g.length);
            FloatVector d = FloatVector.fromArray(S, x, i, k).sub(m);
            FloatVector gv = FloatVector.fromArray(S, g, i, k);
            if (masked) {
                gv = gv.blend(zero, d.fma(sc, sh).compare(VectorOperators.LE, 0f));
                gv.intoArray(g, i, k);
            }
            a = a.add(gv);
            c = gv.fma(d, c);
        }
        return new double[] {a.reduceLanes(VectorOperators.ADD), c.reduceLanes(VectorOperators.ADD)};
    }
}
