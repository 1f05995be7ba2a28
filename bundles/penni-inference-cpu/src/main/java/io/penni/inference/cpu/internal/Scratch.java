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

    Scratch(int stage, int plane, int acc) {
        this.stage = new float[stage];
        this.plane = new float[plane];
        this.acc = new float[acc];
    }

    long bytes() {
        return (long) (stage.length + plane.length + acc.length) * Float.BYTES;
    }
}
