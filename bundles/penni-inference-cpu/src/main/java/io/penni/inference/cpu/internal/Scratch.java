package io.penni.inference.cpu.internal;

/**
 * One thread's working arrays: {@code stage} (a padded or im2col copy of a layer's input, or a decomposed
 * layer's C·d basis maps), {@code plane} (one channel's staging for the basis convolution) and {@code acc}
 * (a few output rows before the epilogue).
 */
final class Scratch {

    final float[] stage;
    final float[] plane;
    final float[] acc;
    /** Where each kernel tap's row starts in {@code plane}, for the band at hand: filled per band, never allocated. */
    final int[] taps = new int[MAX_TAPS];

    /** Taps of a kernel at most: k ≤ 15, as {@link Kernels#MAX_BASES} allows. */
    static final int MAX_TAPS = 225;

    /**
     * Floats past the end of every array. A masked Vector API load or store whose whole vector lies inside the
     * array is a blend of full-width operations; one that reaches past the end takes JDK 17's lane-by-lane
     * fallback, measured ten times slower. The slack keeps the kernels' tails on the fast path.
     */
    static final int SLACK = 64;

    Scratch(int stage, int plane, int acc) {
        this.stage = new float[stage + SLACK];
        this.plane = new float[plane + SLACK];
        this.acc = new float[acc + SLACK];
    }

    long bytes() {
        return (long) (stage.length + plane.length + acc.length) * Float.BYTES;
    }
}
