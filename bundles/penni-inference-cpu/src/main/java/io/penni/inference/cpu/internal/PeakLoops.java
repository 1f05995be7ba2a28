package io.penni.inference.cpu.internal;

/**
 * The FMA loops behind {@link io.penni.inference.cpu.FmaPeak}; the vector one lives in {@link VectorPeak} so
 * that it is only loaded where the Vector API is there.
 */
public final class PeakLoops {

    private static volatile float sink;

    private PeakLoops() {
    }

    /** @return the vector width in bits the vector loop uses */
    public static int vectorBits() {
        return VectorPeak.bits();
    }

    /**
     * Runs FMAs for about {@code nanos}.
     *
     * @param vector whether to use the Vector API loop
     * @param nanos how long
     * @return floating-point operations done
     */
    public static double run(boolean vector, long nanos) {
        return vector ? VectorPeak.run(nanos) : scalar(nanos);
    }

    private static double scalar(long nanos) {
        float a0 = 1f;
        float a1 = 1.1f;
        float a2 = 1.2f;
        float a3 = 1.3f;
        float a4 = 1.4f;
        float a5 = 1.5f;
        float a6 = 1.6f;
        float a7 = 1.7f;
        float a8 = 1.8f;
        float a9 = 1.9f;
        float a10 = 2f;
        float a11 = 2.1f;
        float m = 0.999999f;
        float c = 1e-7f;
        long end = System.nanoTime() + nanos;
        long blocks = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                a0 = Math.fma(a0, m, c);
                a1 = Math.fma(a1, m, c);
                a2 = Math.fma(a2, m, c);
                a3 = Math.fma(a3, m, c);
                a4 = Math.fma(a4, m, c);
                a5 = Math.fma(a5, m, c);
                a6 = Math.fma(a6, m, c);
                a7 = Math.fma(a7, m, c);
                a8 = Math.fma(a8, m, c);
                a9 = Math.fma(a9, m, c);
                a10 = Math.fma(a10, m, c);
                a11 = Math.fma(a11, m, c);
            }
            blocks++;
        }
        sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return blocks * 10_000.0 * 12 * 2;
    }
}
