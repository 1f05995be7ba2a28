package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The in-memory image set's checks and immutability. */
class ImageSetTest {

    private static ImageSet threeImages() {
        return new ImageSet("s", 1, 1, 2, List.of("a", "b"), new byte[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1, 1});
    }

    @Test
    void pixelCountMustMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("s", 1, 2, 2, List.of("a"), new byte[7], new int[2]));
        assertEquals("s: 2 images of 1×2×2 need 8 pixel bytes, got 7", e.getMessage());
    }

    @Test
    void labelOutsideTheClassesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("s", 1, 1, 1, List.of("a", "b"), new byte[2], new int[] {0, 2}));
        assertEquals("s: label 2 of image 1 is outside 0..1", e.getMessage());
    }

    @Test
    void changingTheGivenOrReturnedArraysLeavesTheSetAlone() {
        byte[] pixels = {1, 2};
        int[] labels = {0};
        ImageSet set = new ImageSet("s", 1, 1, 2, List.of("a"), pixels, labels);
        pixels[0] = 9;
        set.pixels()[1] = 9;
        labels[0] = 5;
        assertArrayEquals(new byte[] {1, 2}, set.pixels());
        assertArrayEquals(new int[] {0}, set.labels());
    }

    @Test
    void firstKeepsTheLeadingImages() {
        ImageSet first = threeImages().first(2);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, first.pixels());
        assertArrayEquals(new int[] {0, 1}, first.labels());
    }

    @Test
    void firstWithZeroOrTooLargeALimitKeepsEverything() {
        ImageSet set = threeImages();
        assertSame(set, set.first(0));
        assertSame(set, set.first(3));
    }

    @Test
    void classCountsAreALabelHistogram() {
        assertArrayEquals(new int[] {1, 2}, threeImages().classCounts());
    }
}
