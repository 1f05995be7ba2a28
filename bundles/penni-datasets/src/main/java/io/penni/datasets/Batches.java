package io.penni.datasets;

import io.penni.api.job.Augmentation;
import io.penni.datasets.internal.BatchWriter;
import io.penni.datasets.internal.EpochOrder;

/**
 * Where batches come from: a shuffled, augmented pass for training and an ordered, plain pass for evaluation.
 * Both are pure functions of their arguments, so a job that restarts an epoch sees the same batches again.
 */
public final class Batches {

    private Batches() {
    }

    /**
     * One training epoch: every image once, in an order fixed by {@code seed} and {@code epoch} (the same pair
     * always gives the same order, another epoch another order), augmented with random draws fixed the same way.
     *
     * @param set the training images
     * @param normalization the training set's normalisation
     * @param augmentation the random crop and flip to apply ({@link Augmentation#NONE}: none)
     * @param batchSize images per batch, >= 1; the last batch holds what is left
     * @param seed the job's seed
     * @param epoch the epoch, from 0
     * @return the epoch's batches
     */
    public static BatchIterator training(ImageSet set, Normalization normalization, Augmentation augmentation,
            int batchSize, long seed, int epoch) {
        check(set, normalization, batchSize);
        BatchWriter writer = new BatchWriter(set, normalization, augmentation, EpochOrder.augmentationKey(seed, epoch));
        return new BatchIterator(writer, EpochOrder.shuffled(set.count(), seed, epoch), batchSize);
    }

    /**
     * Every image once, in the set's order, without augmentation: for evaluation.
     *
     * @param set the images
     * @param normalization the training set's normalisation
     * @param batchSize images per batch, >= 1; the last batch holds what is left
     * @return the batches
     */
    public static BatchIterator evaluation(ImageSet set, Normalization normalization, int batchSize) {
        check(set, normalization, batchSize);
        BatchWriter writer = new BatchWriter(set, normalization, Augmentation.NONE, 0);
        return new BatchIterator(writer, EpochOrder.sequential(set.count()), batchSize);
    }

    /**
     * @param images images in an epoch
     * @param batchSize images per batch, >= 1
     * @return how many batches the epoch has, counting a last partial batch
     */
    public static int batchCount(int images, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        return (int) ((images + (long) batchSize - 1) / batchSize);
    }

    private static void check(ImageSet set, Normalization normalization, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (normalization.channels() != set.channels()) {
            throw new IllegalArgumentException(set.name() + " has " + set.channels()
                    + " channels but the normalisation has " + normalization.channels());
        }
    }
}
