package io.penni.datasets.internal;

import java.util.SplittableRandom;

/**
 * The order of images in an epoch and the keys of its random augmentation, both derived from the job's seed
 * and the epoch alone, so that a repeated epoch repeats exactly.
 */
public final class EpochOrder {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    // distinct streams so that the order and the augmentation of one epoch are not correlated
    private static final long ORDER_STREAM = 0x6F72646572L;
    private static final long AUGMENT_STREAM = 0x6175676DL;

    private EpochOrder() {
    }

    /**
     * @param count images in the set
     * @param seed the job's seed
     * @param epoch the epoch
     * @return a permutation of {@code 0 .. count - 1}
     */
    public static int[] shuffled(int count, long seed, int epoch) {
        int[] order = sequential(count);
        SplittableRandom random = new SplittableRandom(key(seed, epoch, ORDER_STREAM));
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /**
     * @param count images in the set
     * @return {@code 0 .. count - 1} in order
     */
    public static int[] sequential(int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        return order;
    }

    /**
     * @param seed the job's seed
     * @param epoch the epoch
     * @return the key from which {@link #draw(long, int)} derives each image's augmentation
     */
    public static long augmentationKey(long seed, int epoch) {
        return key(seed, epoch, AUGMENT_STREAM);
    }

    /**
     * 64 random bits for the image at a position of the epoch; a function of the key and the position only, so
     * any batch can be made without making the ones before it.
     *
     * @param key the epoch's {@link #augmentationKey(long, int)}
     * @param position the image's position in the epoch
     * @return the bits
     */
    public static long draw(long key, int position) {
        return mix(key + GOLDEN * (position + 1L));
    }

    private static long key(long seed, int epoch, long stream) {
        return mix(mix(seed ^ stream) + GOLDEN * (epoch + 1L));
    }

    // A 64-bit finaliser (xor-shift-multiply): spreads every input bit over the output bits.
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
