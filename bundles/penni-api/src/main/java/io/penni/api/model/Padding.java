package io.penni.api.model;

/**
 * Zero padding of a 2-D window's input, per side, in ONNX's order {@code [top, left, bottom, right]}. Most layers pad
 * every side alike ({@link #of(int)}); TensorFlow's SAME padding at stride 2 and PyTorch's {@code ZeroPad2d((0, 1, 0,
 * 1))} pad the end of an axis more than its beginning. A consumer that can only pad every side alike checks
 * {@link #isUniform()} and refuses the layer by name otherwise.
 *
 * @param top rows added above
 * @param left columns added on the left
 * @param bottom rows added below
 * @param right columns added on the right
 */
public record Padding(int top, int left, int bottom, int right) {

    /** No padding. */
    public static final Padding NONE = new Padding(0, 0, 0, 0);

    /** Checks that no side is negative. */
    public Padding {
        if (top < 0 || left < 0 || bottom < 0 || right < 0) {
            throw new IllegalArgumentException("padding must not be negative, was [" + top + ", " + left + ", "
                    + bottom + ", " + right + "]");
        }
    }

    /**
     * @param padding the padding of every side
     * @return that padding
     */
    public static Padding of(int padding) {
        return new Padding(padding, padding, padding, padding);
    }

    /** @return whether every side is padded alike */
    public boolean isUniform() {
        return top == left && top == bottom && top == right;
    }

    /** @return whether no side is padded */
    public boolean isNone() {
        return top == 0 && left == 0 && bottom == 0 && right == 0;
    }

    /** @return rows added in all: top + bottom */
    public int height() {
        return top + bottom;
    }

    /** @return columns added in all: left + right */
    public int width() {
        return left + right;
    }

    /** @return the largest padding of any side */
    public int max() {
        return Math.max(Math.max(top, left), Math.max(bottom, right));
    }

    /** @return {@code [top, left, bottom, right]} */
    public int[] toArray() {
        return new int[] {top, left, bottom, right};
    }

    /** @return the one number of a uniform padding, else {@code [top, left, bottom, right]} */
    @Override
    public String toString() {
        return isUniform() ? Integer.toString(top) : "[" + top + ", " + left + ", " + bottom + ", " + right + "]";
    }
}
