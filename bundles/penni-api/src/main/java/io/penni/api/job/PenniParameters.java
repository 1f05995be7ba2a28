package io.penni.api.job;

import java.util.Objects;

/**
 * PENNI's hyper-parameters.
 *
 * @param bases basis kernels per layer, d (paper: 5); d >= k*k keeps the layer exact
 * @param l1 the L1 penalty on coefficients, gamma (paper: 1e-4)
 * @param switchEvery epochs between switching which of coefficients and bases train (paper: 5)
 * @param retrain the alternating retraining schedule
 * @param finetune the schedule of fine-tuning after pruning (paper: 30 epochs)
 * @param distillation knowledge distillation from the job's dense model during retraining and fine-tuning
 */
public record PenniParameters(int bases, double l1, int switchEvery, TrainingSchedule retrain,
        TrainingSchedule finetune, Distillation distillation) {

    /**
     * The paper's parameters, without distillation.
     *
     * @param bases basis kernels per layer, d
     * @param l1 the L1 penalty on coefficients, gamma
     * @param switchEvery epochs between switching which of coefficients and bases train
     * @param retrain the alternating retraining schedule
     * @param finetune the schedule of fine-tuning after pruning
     */
    public PenniParameters(int bases, double l1, int switchEvery, TrainingSchedule retrain,
            TrainingSchedule finetune) {
        this(bases, l1, switchEvery, retrain, finetune, Distillation.OFF);
    }

    /** Checks the fields. */
    public PenniParameters {
        Objects.requireNonNull(retrain, "retrain");
        Objects.requireNonNull(finetune, "finetune");
        Objects.requireNonNull(distillation, "distillation");
        if (bases < 1) {
            throw new IllegalArgumentException("bases must be >= 1, was " + bases);
        }
        if (l1 < 0) {
            throw new IllegalArgumentException("l1 must be >= 0, was " + l1);
        }
        if (switchEvery < 1) {
            throw new IllegalArgumentException("switchEvery must be >= 1, was " + switchEvery);
        }
    }
}
