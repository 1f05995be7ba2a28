package io.penni.trainer;

import java.util.List;

import io.penni.api.job.TrainingSchedule;

/**
 * A phase's learning rate per epoch: either the paper's steps (the initial rate multiplied by {@code gamma} at each
 * milestone, a milestone being a fraction of the phase's epochs: 0.1 at 50% and 75%), or, when
 * {@code cosineEpochs > 0}, half a cosine from the initial rate at epoch 0 down towards 0 after the last epoch
 * ({@code initial·(1 + cos(π·epoch/epochs))/2}), which spends a short budget's few epochs better than steps that
 * fall at fixed fractions.
 *
 * @param initial the first epoch's rate
 * @param milestoneEpochs the step schedule's milestones, in epochs
 * @param gamma the step factor
 * @param cosineEpochs the cosine's length in epochs; 0: the step schedule
 */
public record LearningRateSchedule(double initial, List<Integer> milestoneEpochs, double gamma, int cosineEpochs) {

    /** Copies the list. */
    public LearningRateSchedule {
        milestoneEpochs = List.copyOf(milestoneEpochs);
        if (cosineEpochs < 0) {
            throw new IllegalArgumentException("cosineEpochs must be >= 0, was " + cosineEpochs);
        }
    }

    /**
     * The schedule of a training phase.
     *
     * @param schedule the phase's settings
     * @return the schedule, milestones rounded to whole epochs
     */
    public static LearningRateSchedule of(TrainingSchedule schedule) {
        int cosine = schedule.rateShape() == TrainingSchedule.RateShape.COSINE ? Math.max(1, schedule.epochs()) : 0;
        return new LearningRateSchedule(schedule.learningRate(), schedule.milestones().stream()
                .map(f -> (int) Math.round(f * schedule.epochs())).toList(), schedule.gamma(), cosine);
    }

    /**
     * @param epoch the epoch, from 0
     * @return its learning rate
     */
    public double rate(int epoch) {
        if (cosineEpochs > 0) {
            return initial * 0.5 * (1 + Math.cos(Math.PI * Math.min(epoch, cosineEpochs) / cosineEpochs));
        }
        double rate = initial;
        for (int milestone : milestoneEpochs) {
            if (epoch >= milestone) {
                rate *= gamma;
            }
        }
        return rate;
    }
}
