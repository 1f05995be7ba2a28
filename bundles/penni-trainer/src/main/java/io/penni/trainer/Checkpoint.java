package io.penni.trainer;

import java.util.List;
import java.util.Map;

import io.penni.api.model.Tensor;

/**
 * The state of a run after an epoch: enough to continue it as if it had never stopped. The data order,
 * augmentation and dropout of every step derive from the seed, the epoch and the step, so no random state
 * needs saving.
 *
 * @param phase the run's phase
 * @param completedEpochs epochs finished
 * @param parameters every parameter, running statistics included
 * @param velocity the optimizer's momentum buffers
 * @param history the reports of the finished epochs
 * @param startedFrom what the run started from ({@link Trainer#fingerprint}: the start model, the masks and the
 *        settings that shape training), so that a run from other inputs does not continue it; empty in checkpoints
 *        written before it was recorded
 */
public record Checkpoint(String phase, int completedEpochs, Map<String, Tensor> parameters,
        Map<String, Tensor> velocity, List<EpochReport> history, String startedFrom) {
    /** Copies the collections. */
    public Checkpoint {
        parameters = Map.copyOf(parameters);
        velocity = Map.copyOf(velocity);
        history = List.copyOf(history);
        startedFrom = startedFrom == null ? "" : startedFrom;
    }

    /**
     * A checkpoint that does not say what its run started from (as those written before it was recorded).
     *
     * @param phase the run's phase
     * @param completedEpochs epochs finished
     * @param parameters every parameter
     * @param velocity the optimizer's momentum buffers
     * @param history the reports of the finished epochs
     */
    public Checkpoint(String phase, int completedEpochs, Map<String, Tensor> parameters, Map<String, Tensor> velocity,
            List<EpochReport> history) {
        this(phase, completedEpochs, parameters, velocity, history, "");
    }
}
