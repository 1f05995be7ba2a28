package io.penni.api.stage;

import java.util.OptionalDouble;

/**
 * A progress report from a running stage.
 *
 * @param epoch current epoch, from 1 (0 for stages that have no epochs)
 * @param epochs total epochs of the stage
 * @param iteration current iteration in the epoch, from 1
 * @param iterations iterations per epoch
 * @param loss the latest training loss, if the stage trains
 * @param accuracy the latest accuracy (0..1), if measured
 * @param sparsity fraction of zero coefficients (0..1), if the model has coefficients
 * @param imagesPerSecond training or evaluation throughput, if measured
 * @param message a short human-readable note (e.g. {@code resumed from epoch 4})
 */
public record StageProgress(int epoch, int epochs, int iteration, int iterations, OptionalDouble loss,
        OptionalDouble accuracy, OptionalDouble sparsity, OptionalDouble imagesPerSecond, String message) {

    /**
     * A progress report that only carries a message.
     *
     * @param message the note
     * @return the report
     */
    public static StageProgress note(String message) {
        return new StageProgress(0, 0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                OptionalDouble.empty(), message);
    }
}
