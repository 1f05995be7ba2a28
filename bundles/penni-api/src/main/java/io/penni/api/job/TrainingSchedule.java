package io.penni.api.job;

import java.util.List;
import java.util.Objects;

/**
 * An SGD schedule. The paper's setting: learning rate 0.01 multiplied by 0.1 at 50% and 75% of the epochs,
 * momentum 0.9 (Nesterov), weight decay 1e-4, batch 128.
 *
 * @param epochs epochs to train (0: skip the phase)
 * @param learningRate initial learning rate
 * @param milestones fractions of {@code epochs} at which the learning rate is multiplied by {@code gamma}
 * @param gamma the step factor
 * @param batchSize images per step
 * @param momentum SGD momentum
 * @param nesterov whether momentum is Nesterov's
 * @param weightDecay L2 weight decay
 * @param rateShape how the learning rate falls over the epochs: the paper's steps, or a cosine to zero
 */
public record TrainingSchedule(int epochs, double learningRate, List<Double> milestones, double gamma, int batchSize,
        double momentum, boolean nesterov, double weightDecay, RateShape rateShape) {

    /** How the learning rate changes over a phase. */
    public enum RateShape {
        /** Multiplied by {@code gamma} at each milestone (the paper). */
        STEP,
        /** Half a cosine from the initial rate at the first epoch towards 0 after the last; milestones unused. */
        COSINE
    }

    /**
     * A step schedule (the paper's shape).
     *
     * @param epochs epochs to train (0: skip the phase)
     * @param learningRate initial learning rate
     * @param milestones fractions of {@code epochs} at which the learning rate is multiplied by {@code gamma}
     * @param gamma the step factor
     * @param batchSize images per step
     * @param momentum SGD momentum
     * @param nesterov whether momentum is Nesterov's
     * @param weightDecay L2 weight decay
     */
    public TrainingSchedule(int epochs, double learningRate, List<Double> milestones, double gamma, int batchSize,
            double momentum, boolean nesterov, double weightDecay) {
        this(epochs, learningRate, milestones, gamma, batchSize, momentum, nesterov, weightDecay, RateShape.STEP);
    }

    /** Checks the fields. */
    public TrainingSchedule {
        Objects.requireNonNull(milestones, "milestones");
        Objects.requireNonNull(rateShape, "rateShape");
        milestones = List.copyOf(milestones);
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, was " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0, was " + learningRate);
        }
    }

    /**
     * The paper's schedule with the given number of epochs.
     *
     * @param epochs epochs to train
     * @return the schedule
     */
    public static TrainingSchedule paper(int epochs) {
        return new TrainingSchedule(epochs, 0.01, List.of(0.5, 0.75), 0.1, 128, 0.9, true, 1e-4);
    }
}
