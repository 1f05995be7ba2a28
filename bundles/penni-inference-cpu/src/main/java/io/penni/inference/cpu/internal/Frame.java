package io.penni.inference.cpu.internal;

/**
 * The buffers of one run: the input lanes (images copied in from the caller's batch) and one array per slot,
 * each holding {@code capacity} images, one per lane. A lane is a place for one image while it goes through the
 * network; a batch larger than the lanes goes through in passes. A frame is reused across runs; its arrays are
 * only ever read where earlier steps wrote.
 */
final class Frame {

    private final float[][] slots;
    private final int capacity;
    private final float[] input;
    private final int inputSize;

    Frame(int[] slotSizes, int inputSize, int capacity) {
        this.capacity = capacity;
        this.inputSize = inputSize;
        this.input = new float[Math.addExact(Math.multiplyExact(inputSize, capacity), Scratch.SLACK)];
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

    /**
     * Copies images of the caller's batch into lanes.
     *
     * @param images the batch, {@code batch × input size} values
     * @param first the first image copied
     * @param lane the lane it goes to
     * @param count images
     */
    void load(float[] images, int first, int lane, int count) {
        System.arraycopy(images, first * inputSize, input, lane * inputSize, count * inputSize);
    }

    float[] slot(int slot) {
        return slots[slot];
    }
}
