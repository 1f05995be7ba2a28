package io.penni.shrinker;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Which of a layer's channels (or basis kernels, or input features) stay.
 *
 * @param before how many there were
 * @param kept the indices that stay, ascending, each in {@code [0, before)}
 */
public record Selection(int before, List<Integer> kept) {

    /** Checks that the indices are ascending, distinct and in range, and copies them. */
    public Selection {
        if (before < 0) {
            throw new IllegalArgumentException("a selection's size must be >= 0, was " + before);
        }
        kept = List.copyOf(kept);
        int previous = -1;
        for (int index : kept) {
            if (index <= previous || index >= before) {
                throw new IllegalArgumentException("kept indices must be ascending, distinct and below " + before
                        + ", got " + kept);
            }
            previous = index;
        }
    }

    /**
     * Everything stays.
     *
     * @param size how many there are
     * @return the selection of all of them
     */
    public static Selection all(int size) {
        return new Selection(size, IntStream.range(0, size).boxed().toList());
    }

    /** @return the selection of nothing from nothing, for a layer that has no such things (e.g. no bases) */
    public static Selection empty() {
        return new Selection(0, List.of());
    }

    /** @return how many stay */
    public int after() {
        return kept.size();
    }

    /** @return whether nothing is removed */
    public boolean keepsAll() {
        return kept.size() == before;
    }

    /** @return the kept indices as an array, for slicing */
    public int[] indices() {
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }
}
