package io.penni.trainer;

import java.util.List;
import java.util.Optional;

import io.penni.api.model.Model;

/**
 * How a training run ended.
 *
 * @param model the trained model (or, when cancelled, as far as it got)
 * @param history what each epoch did, including epochs of earlier, interrupted runs
 * @param resumedFrom the finished epochs of the checkpoint the run continued from, if it did
 * @param cancelled whether the run stopped early because it was asked to
 */
public record TrainingResult(Model model, List<EpochReport> history, Optional<Integer> resumedFrom,
        boolean cancelled) {
    /** Copies the list. */
    public TrainingResult {
        history = List.copyOf(history);
    }
}
