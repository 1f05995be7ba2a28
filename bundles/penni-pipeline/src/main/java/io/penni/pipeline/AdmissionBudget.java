package io.penni.pipeline;

/**
 * What one job may cost on this server: checked against a request's {@link CostEstimate} before the job is
 * accepted, so a job that would exhaust memory or run for weeks is refused at once, with the estimate and the cap.
 *
 * @param maxMemoryBytes the most memory a job's training or evaluation may need; 0: no cap
 * @param maxHours the most hours of training a job may need; 0: no cap
 * @param trainingMacsPerSecond how many multiply-accumulates a second this server's trainer does (forward and
 *        backward), to turn a job's work into hours
 */
public record AdmissionBudget(long maxMemoryBytes, double maxHours, double trainingMacsPerSecond) {

    /** No caps. */
    public static final AdmissionBudget UNLIMITED = new AdmissionBudget(0, 0, 1);

    /** Checks the fields. */
    public AdmissionBudget {
        if (maxMemoryBytes < 0 || !(maxHours >= 0) || !(trainingMacsPerSecond > 0)) {
            throw new IllegalArgumentException("admission budget: caps must be >= 0 and the trainer's speed > 0, were "
                    + maxMemoryBytes + " bytes, " + maxHours + " h, " + trainingMacsPerSecond + " MAC/s");
        }
    }
}
