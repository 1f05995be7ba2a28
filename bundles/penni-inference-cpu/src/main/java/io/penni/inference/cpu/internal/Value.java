package io.penni.inference.cpu.internal;

import io.penni.model.lowering.LoweringPlan;

/**
 * Where a layer's output lives while a batch runs: a buffer slot ({@link #INPUT_SLOT} for the caller's input
 * array) holding {@code size} floats per image, image {@code i} from {@code i · stride}. The stride is the
 * slot's size (the largest value it ever holds), not the value's, so that threads working on different
 * images never touch the same floats even while one is a layer ahead of the other.
 *
 * @param slot the buffer slot
 * @param size floats per image
 * @param stride floats between images in the slot
 */
record Value(int slot, int size, int stride) {

    /** The slot that stands for the caller's input array. */
    static final int INPUT_SLOT = LoweringPlan.INPUT_SLOT;

    float[] array(Frame frame) {
        return slot == INPUT_SLOT ? frame.input() : frame.slot(slot);
    }

    int offset(int image) {
        return image * stride;
    }
}
