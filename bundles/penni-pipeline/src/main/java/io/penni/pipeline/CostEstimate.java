package io.penni.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.penni.api.job.CompressionRequest;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Network;
import io.penni.model.ModelCount;
import io.penni.model.ModelCounter;

/**
 * What a job will roughly cost, from its model's counts and its request alone (no weights, no data read):
 * <ul>
 * <li>memory: the parameters four times (weights, gradients, momentum, a checkpoint's copy) plus, at the largest
 * training batch, every layer's output kept for the backward pass and its gradient (2 × activations × batch), or at
 * the largest evaluation batch the peak activations, whichever is more;</li>
 * <li>work: 3 × MACs per image (forward and backward) × images × the epochs of pretraining, retraining and
 * fine-tuning.</li>
 * </ul>
 * A rough figure on purpose: it is there to refuse the absurd (weeks of training, tens of gigabytes) at once, not to
 * schedule.
 *
 * @param memoryBytes the memory the job needs at its peak
 * @param trainingMacs multiply-accumulates of all its training
 * @param images training images per epoch
 * @param epochs epochs of all its training
 * @param macsPerImage multiply-accumulates of one forward pass
 * @param batch the largest training batch
 */
public record CostEstimate(long memoryBytes, double trainingMacs, long images, int epochs, long macsPerImage,
        int batch) {

    /** Training images of the data sets whose size is known without reading them. */
    private static long knownImages(String format) {
        return switch (format) {
            case "fashion-mnist", "mnist" -> 60_000;
            case "cifar10" -> 50_000;
            default -> 0;
        };
    }

    /**
     * @param request an accepted request
     * @param network its model's graph (built in, or read from the model's file)
     * @return its estimate
     */
    public static CostEstimate of(CompressionRequest request, Network network) {
        ModelCount count = ModelCounter.count(network);
        List<TrainingSchedule> phases = List.of(request.pretrain(), request.penni().retrain(),
                request.penni().finetune());
        int epochs = phases.stream().mapToInt(TrainingSchedule::epochs).sum();
        int batch = phases.stream().filter(s -> s.epochs() > 0).mapToInt(TrainingSchedule::batchSize).max().orElse(0);
        int evaluationBatch = request.evaluation().batchSizes().stream().mapToInt(Integer::intValue).max().orElse(1);
        long known = knownImages(request.dataset().format());
        long limit = request.dataset().trainLimit();
        long images = limit > 0 && known > 0 ? Math.min(limit, known) : limit > 0 ? limit : known;
        double training = 2.0 * count.activationBytes() * batch;
        double evaluation = (double) count.peakActivationBytes() * evaluationBatch;
        double memory = 16.0 * count.params() + Math.max(training, evaluation);
        double macs = 3.0 * count.macs() * images * epochs;
        return new CostEstimate((long) Math.min(memory, Long.MAX_VALUE), macs, images, epochs, count.macs(), batch);
    }

    /**
     * @param budget the server's caps
     * @return one line per cap the estimate is over, each naming the estimate, the cap and the setting
     */
    public List<String> over(AdmissionBudget budget) {
        List<String> problems = new ArrayList<>();
        if (budget.maxMemoryBytes() > 0 && memoryBytes > budget.maxMemoryBytes()) {
            problems.add(String.format(Locale.ROOT, "the job needs about %s of memory (training at batch %d), over "
                    + "this server's cap of %s (admission.max.memory)", bytes(memoryBytes), batch,
                    bytes(budget.maxMemoryBytes())));
        }
        double hours = hours(budget);
        if (budget.maxHours() > 0 && hours > budget.maxHours()) {
            problems.add(String.format(Locale.ROOT, "the job needs about %.0f hours of training (%d epochs of %,d "
                    + "images at %.1f M MACs each, at %.1f G MAC/s), over this server's cap of %.0f hours "
                    + "(admission.max.hours)", hours, epochs, images, macsPerImage / 1e6,
                    budget.trainingMacsPerSecond() / 1e9, budget.maxHours()));
        }
        return problems;
    }

    /**
     * @param budget the server's speed
     * @return the estimated hours of training
     */
    public double hours(AdmissionBudget budget) {
        return trainingMacs / budget.trainingMacsPerSecond() / 3600;
    }

    private static String bytes(double bytes) {
        return bytes >= 1 << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (1 << 30))
                : String.format(Locale.ROOT, "%.0f MiB", bytes / (1 << 20));
    }
}
