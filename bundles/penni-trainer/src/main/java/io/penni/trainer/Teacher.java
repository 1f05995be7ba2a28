package io.penni.trainer;

import java.util.Objects;

import io.penni.api.inference.InferenceBackend;
import io.penni.api.model.Model;

/**
 * The dense model a training run distils from, and how: the loss becomes
 * {@code (1 − alpha)·CE(labels, student) + alpha·T²·KL(softmax(teacher/T) ‖ softmax(student/T))}.
 *
 * @param model the teacher (run in inference mode: running statistics, no dropout)
 * @param alpha weight of the teacher's term, 0..1
 * @param temperature T, > 0
 * @param logits when the teacher's logits are computed
 * @param runtime the inference backend that computes them (the CPU engine: its folded batch norms and fused kernels
 *        take a fraction of the time of the training graph in inference mode), or {@code null} for that graph; a
 *        model the backend cannot load runs on the graph
 */
public record Teacher(Model model, double alpha, double temperature, Logits logits, InferenceBackend runtime) {

    /**
     * A teacher whose logits come from the training graph in inference mode.
     *
     * @param model the teacher
     * @param alpha weight of the teacher's term, 0..1
     * @param temperature T, > 0
     * @param logits when the teacher's logits are computed
     */
    public Teacher(Model model, double alpha, double temperature, Logits logits) {
        this(model, alpha, temperature, logits, null);
    }

    /** When the teacher runs. */
    public enum Logits {
        /** Every step, on the step's (augmented) images. */
        ON_THE_FLY,
        /**
         * Once per run over the training set, kept per image and looked up by each batch's image indices; only
         * without augmentation (an augmented image differs from epoch to epoch), else the run uses
         * {@link #ON_THE_FLY}.
         */
        CACHED
    }

    /** Checks the fields. */
    public Teacher {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(logits, "logits");
        new ModelGraph.DistillationLoss(alpha, temperature); // the ranges, checked once
    }

    /** @return the graph loss's weights */
    public ModelGraph.DistillationLoss loss() {
        return new ModelGraph.DistillationLoss(alpha, temperature);
    }
}
