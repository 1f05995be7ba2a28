package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.penni.api.job.Augmentation;

/** Batch order, batch shapes, normalisation and augmentation. */
class BatchesTest {
    private static final int COUNT = 50;
    private static final int CHANNELS = 2;
    private static final int SIDE = 6;
    private static final int IMAGE = CHANNELS * SIDE * SIDE;

    /** {@value #COUNT} images whose label is their index, pixels random in 1..255 (0 is left to the padding). */
    private static final ImageSet SET = set();

    private static ImageSet set() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] pixels = new byte[COUNT * IMAGE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(1, 256);
        }
        List<String> classes = IntStream.range(0, COUNT).mapToObj(Integer::toString).toList();
        return new ImageSet("random", CHANNELS, SIDE, SIDE, classes, pixels, IntStream.range(0, COUNT).toArray());
    }

    private static final Normalization SCALE_ONLY = Normalization.identity(CHANNELS);

    private static List<Batch> all(BatchIterator batches) {
        List<Batch> list = new ArrayList<>();
        batches.forEachRemaining(list::add);
        return list;
    }

    private static int[] order(long seed, int epoch) {
        return all(Batches.training(SET, SCALE_ONLY, Augmentation.NONE, 7, seed, epoch)).stream()
                .flatMapToInt(b -> Arrays.stream(b.labels())).toArray();
    }

    /** Image {@code index} of the set scaled to 0..1. */
    private static float[] source(int index) {
        byte[] bytes = new byte[IMAGE];
        SET.copyImage(index, bytes, 0);
        float[] image = new float[IMAGE];
        for (int i = 0; i < IMAGE; i++) {
            image[i] = (bytes[i] & 0xff) / 255f;
        }
        return image;
    }

    /** Image {@code i} of a batch. */
    private static float[] image(Batch batch, int i) {
        return Arrays.copyOfRange(batch.images(), i * IMAGE, (i + 1) * IMAGE);
    }

    /** The source shifted so that output (y, x) shows source (y + dy, x + dx), zero outside; then mirrored. */
    private static float[] shifted(float[] source, int dy, int dx, boolean mirror) {
        float[] out = new float[IMAGE];
        for (int c = 0; c < CHANNELS; c++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int sy = y + dy;
                    int sx = (mirror ? SIDE - 1 - x : x) + dx;
                    if (sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE) {
                        out[(c * SIDE + y) * SIDE + x] = source[(c * SIDE + sy) * SIDE + sx];
                    }
                }
            }
        }
        return out;
    }

    /** Which shift (and mirror) of its source an augmented image is, as "dy,dx,mirror"; fails if none. */
    private static String augmentationOf(Batch batch, int i, int padding) {
        float[] image = image(batch, i);
        float[] source = source(batch.labels()[i]);
        for (int dy = -padding; dy <= padding; dy++) {
            for (int dx = -padding; dx <= padding; dx++) {
                for (boolean mirror : new boolean[] {false, true}) {
                    if (Arrays.equals(image, shifted(source, dy, dx, mirror))) {
                        return dy + "," + dx + "," + mirror;
                    }
                }
            }
        }
        throw new AssertionError("image " + i + " (label " + batch.labels()[i] + ") is no crop or flip of its source");
    }

    @Test
    void sameSeedAndEpochGiveTheSameBatches() {
        Augmentation augmentation = new Augmentation(2, true);
        assertEquals(all(Batches.training(SET, SCALE_ONLY, augmentation, 8, 11, 3)),
                all(Batches.training(SET, SCALE_ONLY, augmentation, 8, 11, 3)));
    }

    @Test
    void differentEpochsGiveDifferentOrders() {
        assertFalse(Arrays.equals(order(11, 0), order(11, 1)));
    }

    @Test
    void differentSeedsGiveDifferentOrders() {
        assertFalse(Arrays.equals(order(11, 0), order(12, 0)));
    }

    @Test
    void trainingOrderIsShuffled() {
        assertFalse(Arrays.equals(IntStream.range(0, COUNT).toArray(), order(11, 0)));
    }

    @Test
    void everyImageComesOncePerEpoch() {
        int[] order = order(5, 2);
        Arrays.sort(order);
        assertArrayEquals(IntStream.range(0, COUNT).toArray(), order);
    }

    @Test
    void lastPartialBatchIsKept() {
        List<Batch> batches = all(Batches.evaluation(SET, SCALE_ONLY, 16));
        assertEquals(List.of(16, 16, 16, 2), batches.stream().map(Batch::size).toList());
        assertEquals(2 * IMAGE, batches.get(3).images().length);
        assertEquals(4, Batches.evaluation(SET, SCALE_ONLY, 16).batchCount());
    }

    @Test
    void evaluationKeepsTheSetsOrderAndPixels() {
        List<Batch> batches = all(Batches.evaluation(SET, SCALE_ONLY, 20));
        assertArrayEquals(IntStream.range(0, 20).toArray(), batches.get(0).labels());
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(source(20 + i), image(batches.get(1), i));
        }
    }

    @Test
    void pixelsAreScaledThenNormalisedPerChannel() {
        Normalization normalization = new Normalization(new float[] {0.5f, 0.25f}, new float[] {0.25f, 2f});
        Batch batch = Batches.evaluation(SET, normalization, 1).next();
        byte[] bytes = new byte[IMAGE];
        SET.copyImage(0, bytes, 0);
        for (int i = 0; i < IMAGE; i++) {
            int c = i / (SIDE * SIDE);
            float expected = c == 0 ? ((bytes[i] & 0xff) / 255f - 0.5f) / 0.25f : ((bytes[i] & 0xff) / 255f - 0.25f) / 2f;
            assertEquals(expected, batch.images()[i], 1e-6f, "value " + i);
        }
    }

    @Test
    void aBatchDependsOnlyOnItsIndex() {
        Augmentation augmentation = new Augmentation(3, true);
        List<Batch> iterated = all(Batches.training(SET, SCALE_ONLY, augmentation, 6, 9, 4));
        BatchIterator direct = Batches.training(SET, SCALE_ONLY, augmentation, 6, 9, 4);
        for (int i = direct.batchCount() - 1; i >= 0; i--) {
            assertEquals(iterated.get(i), direct.batch(i), "batch " + i);
        }
    }

    @Test
    void flipMirrorsSomeImagesAndLeavesTheOthers() {
        Set<String> seen = new HashSet<>();
        for (Batch batch : all(Batches.training(SET, SCALE_ONLY, new Augmentation(0, true), 10, 3, 0))) {
            for (int i = 0; i < batch.size(); i++) {
                float[] source = source(batch.labels()[i]);
                float[] image = image(batch, i);
                boolean mirrored = Arrays.equals(image, shifted(source, 0, 0, true));
                assertTrue(mirrored || Arrays.equals(image, source), "image " + i + " is neither itself nor a mirror");
                seen.add(mirrored ? "mirrored" : "kept");
            }
        }
        assertEquals(Set.of("mirrored", "kept"), seen);
    }

    @Test
    void cropShiftsTheImageAndFillsThePaddingWithZeros() {
        Set<String> offsets = new HashSet<>();
        int zeros = 0;
        for (Batch batch : all(Batches.training(SET, SCALE_ONLY, new Augmentation(2, false), 10, 3, 0))) {
            for (int i = 0; i < batch.size(); i++) {
                offsets.add(augmentationOf(batch, i, 2));
                for (float v : image(batch, i)) {
                    zeros += v == 0f ? 1 : 0;
                }
            }
        }
        // the source has no zero pixel: every zero is padding
        assertTrue(zeros > 0, "no padding showed");
        assertTrue(offsets.size() > 10, "only offsets " + offsets);
        assertFalse(offsets.stream().anyMatch(o -> o.endsWith("true")), "flipped without flip");
    }

    @Test
    void paddingIsBlackAfterNormalisation() {
        Normalization normalization = new Normalization(new float[] {0.5f, 0.5f}, new float[] {0.5f, 0.5f});
        float black = -1f;
        Augmentation augmentation = new Augmentation(SIDE, false);
        // with padding as large as the image, some crop falls wholly in the padding
        boolean allBlack = false;
        for (Batch batch : all(Batches.training(SET, normalization, augmentation, 10, 1, 0))) {
            for (int i = 0; i < batch.size(); i++) {
                float[] image = image(batch, i);
                allBlack |= IntStream.range(0, IMAGE).allMatch(p -> image[p] == black);
            }
        }
        assertTrue(allBlack);
    }

    @Test
    void cropAndFlipKeepEachLabelWithItsImageAndTheShape() {
        int seen = 0;
        for (Batch batch : all(Batches.training(SET, SCALE_ONLY, new Augmentation(2, true), 8, 21, 1))) {
            assertEquals(batch.size() * IMAGE, batch.images().length);
            for (int i = 0; i < batch.size(); i++) {
                augmentationOf(batch, i, 2);
                seen++;
            }
        }
        assertEquals(COUNT, seen);
    }

    /** Each label's augmentation in one epoch. */
    private static String[] augmentations(int epoch) {
        String[] byLabel = new String[COUNT];
        for (Batch batch : all(Batches.training(SET, SCALE_ONLY, new Augmentation(2, true), 10, 1, epoch))) {
            for (int i = 0; i < batch.size(); i++) {
                byLabel[batch.labels()[i]] = augmentationOf(batch, i, 2);
            }
        }
        return byLabel;
    }

    @Test
    void augmentationDiffersBetweenEpochs() {
        assertFalse(Arrays.equals(augmentations(0), augmentations(1)));
    }

    @Test
    void normalisationWithOtherChannelsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Batches.evaluation(SET, Normalization.identity(3), 4));
    }
}
