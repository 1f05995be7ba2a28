package io.penni.trainer;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import io.penni.api.job.Augmentation;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Tensor;

/**
 * What to train and how.
 *
 * @param phase the phase's name, for reports (e.g. {@code pretrain}, {@code retrain}, {@code finetune})
 * @param schedule epochs, learning rate and its steps, batch size, momentum, weight decay
 * @param alternateEvery when present, coefficients and bases of decomposed layers take turns, this many epochs
 *        each, coefficients first (the frozen ones do not move at all); other parameters always train
 * @param l1 the L1 penalty γ on coefficients (0: none)
 * @param masks keep-masks by parameter name (1 keep, 0 pruned): masked values stay exactly zero
 * @param augmentation training-time augmentation
 * @param seed seed of the data order, augmentation and dropout
 * @param evaluateEvery evaluate on the test split every this many epochs (0: only after the last)
 * @param teacher the model to distil from, if any
 * @param gradualEpochs over how many first epochs the masks are reached (0: they hold from the first step): the
 *        run starts from unpruned values and zeroes the masked ones smallest magnitude first, on a cubic schedule
 *        ({@link GradualPruning})
 */
public record TrainingRun(String phase, TrainingSchedule schedule, OptionalInt alternateEvery, double l1,
        Map<String, Tensor> masks, Augmentation augmentation, long seed, int evaluateEvery, Optional<Teacher> teacher,
        int gradualEpochs) {

    /**
     * A run without distillation.
     *
     * @param phase the phase's name
     * @param schedule the schedule
     * @param alternateEvery the alternation period, if any
     * @param l1 the L1 penalty on coefficients
     * @param masks keep-masks by parameter name
     * @param augmentation training-time augmentation
     * @param seed the seed
     * @param evaluateEvery evaluate every this many epochs (0: only after the last)
     */
    public TrainingRun(String phase, TrainingSchedule schedule, OptionalInt alternateEvery, double l1,
            Map<String, Tensor> masks, Augmentation augmentation, long seed, int evaluateEvery) {
        this(phase, schedule, alternateEvery, l1, masks, augmentation, seed, evaluateEvery, Optional.empty(), 0);
    }

    /**
     * @param newTeacher the teacher
     * @return this run, distilling from the teacher
     */
    public TrainingRun distillingFrom(Teacher newTeacher) {
        return new TrainingRun(phase, schedule, alternateEvery, l1, masks, augmentation, seed, evaluateEvery,
                Optional.of(newTeacher), gradualEpochs);
    }

    /**
     * @param epochs over how many first epochs the masks are reached; fewer than the schedule's epochs
     * @return this run, pruning gradually
     */
    public TrainingRun pruningGradually(int epochs) {
        return new TrainingRun(phase, schedule, alternateEvery, l1, masks, augmentation, seed, evaluateEvery, teacher,
                epochs);
    }

    /** Checks the fields. */
    public TrainingRun {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(alternateEvery, "alternateEvery");
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(teacher, "teacher");
        masks = Map.copyOf(masks);
        if (alternateEvery.isPresent() && alternateEvery.getAsInt() < 1) {
            throw new IllegalArgumentException("alternateEvery must be >= 1, was " + alternateEvery.getAsInt());
        }
        if (l1 < 0) {
            throw new IllegalArgumentException("l1 must be >= 0, was " + l1);
        }
        if (gradualEpochs < 0 || (gradualEpochs > 0 && gradualEpochs >= schedule.epochs())) {
            throw new IllegalArgumentException("gradualEpochs must be 0 or fewer than the " + schedule.epochs()
                    + " epochs, was " + gradualEpochs);
        }
        if (gradualEpochs > 0 && masks.isEmpty()) {
            throw new IllegalArgumentException("gradual pruning needs masks");
        }
    }

    /**
     * Which parameter kind trains in an epoch of an alternating run.
     *
     * @param epoch the epoch, from 0
     * @return {@code all}, {@code coefficients} or {@code bases}
     */
    public String trainingIn(int epoch) {
        if (alternateEvery.isEmpty()) {
            return "all";
        }
        return (epoch / alternateEvery.getAsInt()) % 2 == 0 ? "coefficients" : "bases";
    }
}
