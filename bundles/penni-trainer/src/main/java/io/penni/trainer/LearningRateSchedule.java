package io.penni.trainer;

import java.util.List;

import io.penni.api.job.TrainingSchedule;

/**
 * A step schedule: the initial rate multiplied by {@code gamma} at each milestone, a milestone being a
 * fraction of the phase's epochs (the paper: 0.1 at 50% and 75%).
 */
public record LearningRateSchedule(double initial, List<Integer> milestoneEpochs, double gamma) {

    /** Copies the list. */
    public LearningRateSchedule {
        milestoneEpochs = List.copyOf(milestoneEpochs);
    }

    /**
     * The schedule of a training phase.
     *
     * @param schedule the phase's settings
     * @return the schedule, milestones rounded to whole epochs
     */
    public static LearningRateSchedule of(TrainingSchedule schedule) {
        return new LearningRateSchedule(schedule.learningRate(), schedule.milestones().stream()
                .map(f -> (int) Math.round(f * schedule.epochs())).toList(), schedule.gamma());
    }

    /**
     * @param epoch the epoch, from 0
     * @return its learning rate
     */
    public double rate(int epoch) {
        double rate = initial;
        for (int milestone : milestoneEpochs) {
            if (epoch >= milestone) {
                rate *= gamma;
            }
        }
        return rate;
    }
}
