package io.penni.inference.cpu.internal;

import io.penni.model.lowering.LoweringPlan;

/**
 * Where a layer's output lives while a batch runs: a buffer slot ({@link #INPUT_SLOT} for the caller's input
 * array) holding {@code size} floats per image, image {@code i} from {@code i · stride}. The stride is the
 * slot's size (the largest value it ever holds), not the value's, so that threads working on different
 * images never touch the same floats even while one is a layer ahead of the other.
 *
 * <p>Channels are stored one after the other, each {@code height × width} values, unless the value is
 * {@link Staged}: then each channel is already laid out as the convolution that reads it stages its input.
 *
 * @param slot the buffer slot
 * @param size floats per image
 * @param stride floats between images in the slot
 * @param staged the staged layout, or null for plain channels
 */
record Value(int slot, int size, int stride, Staged staged) {

    /**
     * A value stored as its only reader, a stride-1 convolution whose rows share their zero columns, stages it
     * ({@link ConvGeometry#stageBand}): channel c from {@code c · channelStride}, its rows {@code rowStride}
     * apart, {@code top} zero rows, then each row one zero and the row's values, then a zero row; a channel's
     * last zero row is the next one's first ({@code channelStride} is one image's plane less that row), and a
     * zero follows the last channel's last row. The reader reads its taps in place instead of staging them, and
     * the writer stores its computed rows as they are (their one padded column becomes the next row's zero) in
     * one copy instead of row by row.
     *
     * @param rowStride values per row: the width and one zero
     * @param top zero rows above the first row
     * @param channelStride values between two channels' first rows
     */
    record Staged(int rowStride, int top, int channelStride) {
    }

    Value(int slot, int size, int stride) {
        this(slot, size, stride, null);
    }

    /** The slot that stands for the caller's input array. */
    static final int INPUT_SLOT = LoweringPlan.INPUT_SLOT;

    float[] array(Frame frame) {
        return slot == INPUT_SLOT ? frame.input() : frame.slot(slot);
    }

    int offset(int image) {
        return image * stride;
    }
}
