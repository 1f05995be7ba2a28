package io.penni.inference.cpu.internal;

/**
 * The buffers of one run: the caller's input and one array per slot, each big enough for the batch. A frame
 * is reused across runs of up to its capacity; its arrays are only ever read where earlier steps wrote.
 */
final class Frame {

    private final float[][] slots;
    private final int capacity;
    private float[] input;

    Frame(int[] slotSizes, int capacity) {
        this.capacity = capacity;
        this.slots = new float[slotSizes.length][];
        for (int i = 0; i < slotSizes.length; i++) {
            slots[i] = new float[Math.addExact(Math.multiplyExact(slotSizes[i], capacity), Scratch.SLACK)];
        }
    }

    int capacity() {
        return capacity;
    }

    float[] input() {
        return input;
    }

    void input(float[] values) {
        input = values;
    }

    float[] slot(int slot) {
        return slots[slot];
    }

    long bytes() {
        long floats = 0;
        for (float[] s : slots) {
            floats += s.length;
        }
        return floats * Float.BYTES;
    }
}
