package io.penni.api.job;

import java.util.Objects;
import java.util.Optional;

/**
 * A validated request to compress a model. Requests arrive as JSON; the workflow validates them against
 * the published schema, fills in the paper's defaults and assigns the job id.
 *
 * @param jobId the job's id, which is also the Kafka record key of everything about the job
 * @param model the starting model
 * @param dataset the data to train and evaluate on
 * @param pretrain schedule for training a built-in architecture before compression (ignored for stored models)
 * @param penni PENNI's hyper-parameters
 * @param pruning the pruning strategy
 * @param evaluation how the result is evaluated
 * @param seed seed of data order, augmentation and initial weights
 * @param recipe the recipe whose settings filled the fields the request left out, if it named one
 */
public record CompressionRequest(String jobId, ModelSource model, DatasetSpec dataset, TrainingSchedule pretrain,
        PenniParameters penni, PruningSpec pruning, EvaluationSpec evaluation, long seed, Optional<Recipe> recipe) {

    /**
     * A request without a recipe.
     *
     * @param jobId the job's id
     * @param model the starting model
     * @param dataset the data to train and evaluate on
     * @param pretrain schedule for training a built-in architecture before compression
     * @param penni PENNI's hyper-parameters
     * @param pruning the pruning strategy
     * @param evaluation how the result is evaluated
     * @param seed seed of data order, augmentation and initial weights
     */
    public CompressionRequest(String jobId, ModelSource model, DatasetSpec dataset, TrainingSchedule pretrain,
            PenniParameters penni, PruningSpec pruning, EvaluationSpec evaluation, long seed) {
        this(jobId, model, dataset, pretrain, penni, pruning, evaluation, seed, Optional.empty());
    }
    /** Checks the fields. */
    public CompressionRequest {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(pretrain, "pretrain");
        Objects.requireNonNull(penni, "penni");
        Objects.requireNonNull(pruning, "pruning");
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(recipe, "recipe");
    }
}
