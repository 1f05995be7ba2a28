package io.penni.trainer;

import java.util.Optional;

import io.penni.api.model.Model;

/** Chooses how a model's training steps are computed. */
final class TrainingSteps {

    /**
     * System property that forces the SameDiff graph ({@code graph}) for every network, e.g. to compare the two;
     * unset or {@code eager}: the eager step wherever it covers the network.
     */
    static final String PROPERTY = "penni.trainer.step";

    private TrainingSteps() {
    }

    /**
     * @param model the model to train
     * @param distillation the distillation loss, or empty for cross-entropy
     * @return the eager step when it covers the network and the graph is not forced, else the graph's
     */
    static TrainingStep create(Model model, Optional<ModelGraph.DistillationLoss> distillation) {
        boolean graph = "graph".equals(System.getProperty(PROPERTY));
        if (!graph && EagerNetwork.unsupported(model.network()).isEmpty()) {
            return new EagerNetwork(model, distillation, Workers.defaultThreads());
        }
        return new SameDiffStep(model, distillation);
    }
}
