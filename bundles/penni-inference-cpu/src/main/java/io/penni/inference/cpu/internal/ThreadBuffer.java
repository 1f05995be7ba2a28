package io.penni.inference.cpu.internal;

/**
 * A float array per thread, grown to the largest size asked of it and then reused: a kernel's or an epilogue's
 * working copy that the callers' scratch does not hold.
 */
final class ThreadBuffer {

    private final ThreadLocal<float[]> buffer = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * @param floats the length needed
     * @return this thread's array, at least that long; its contents are whatever the thread left there
     */
    float[] atLeast(int floats) {
        float[] b = buffer.get();
        if (b.length < floats) {
            b = new float[floats];
            buffer.set(b);
        }
        return b;
    }
}
