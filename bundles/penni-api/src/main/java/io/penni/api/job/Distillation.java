package io.penni.api.job;

/**
 * Knowledge distillation from the job's dense model (the teacher) into the model being compressed: the training
 * loss becomes {@code (1 − alpha)·CE(labels, student) + alpha·T²·KL(softmax(teacher/T) ‖ softmax(student/T))}.
 *
 * @param enabled whether retraining and fine-tuning distil
 * @param alpha the weight of the distillation term, 0..1 (0: the plain cross-entropy)
 * @param temperature the softmax temperature T, > 0
 */
public record Distillation(boolean enabled, double alpha, double temperature) {

    /** No distillation (alpha 0.5 and T 4 are what turning it on without settings gives). */
    public static final Distillation OFF = new Distillation(false, 0.5, 4);

    /** Checks the ranges. */
    public Distillation {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], was " + alpha);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0, was " + temperature);
        }
    }
}
