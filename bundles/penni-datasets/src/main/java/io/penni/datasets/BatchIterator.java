package io.penni.datasets;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

import io.penni.datasets.internal.BatchWriter;

/**
 * The batches of one pass over an image set, made by {@link Batches}. Besides iterating, any batch can be
 * made directly with {@link #batch(int)}: a batch depends only on its index, never on which batches were
 * made before, so batches may be prepared ahead on another thread or an epoch resumed in the middle.
 * {@link #batch(int)} is safe to call from several threads at once; iterating is for one thread.
 */
public final class BatchIterator implements Iterator<Batch> {
    private final BatchWriter writer;
    private final int[] order;
    private final int batchSize;
    private final int batchCount;
    private int next;

    BatchIterator(BatchWriter writer, int[] order, int batchSize) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.order = order;
        this.batchSize = batchSize;
        this.batchCount = Batches.batchCount(order.length, batchSize);
    }

    /** @return how many batches the pass has, counting a last partial batch */
    public int batchCount() {
        return batchCount;
    }

    /** @return whether {@link #next()} has a batch left */
    @Override
    public boolean hasNext() {
        return next < batchCount;
    }

    /** @return the next batch */
    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + batchCount + " batches were taken");
        }
        return batch(next++);
    }

    /**
     * One batch of the pass, independent of the iteration.
     *
     * @param index the batch, {@code 0 .. batchCount() - 1}
     * @return the batch
     */
    public Batch batch(int index) {
        Objects.checkIndex(index, batchCount);
        int from = index * batchSize;
        return writer.write(order, from, Math.min(batchSize, order.length - from));
    }

    /**
     * Which images of the set a batch holds, in the batch's order: what a cache keyed by image (a teacher's
     * logits of unaugmented images) looks its rows up by.
     *
     * @param index the batch, {@code 0 .. batchCount() - 1}
     * @return the images' indices in the set
     */
    public int[] indices(int index) {
        Objects.checkIndex(index, batchCount);
        int from = index * batchSize;
        return java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
    }
}
