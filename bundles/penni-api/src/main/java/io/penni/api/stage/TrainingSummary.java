package io.penni.api.stage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a training stage (pretrain, retrain, finetune) reports: the model's test figures after training, its size,
 * how training went per epoch, and the figures only some of the phases have.
 *
 * @param accuracy top-1 accuracy on the test images, 0..1
 * @param top5 top-5 accuracy on the test images, 0..1
 * @param loss mean loss on the test images
 * @param epochs epochs trained in this run
 * @param resumedFromEpoch the checkpoint's epoch when training resumed from one
 * @param imagesPerSecond mean training throughput over the epochs, when it trained
 * @param trainingSeconds seconds spent training, summed over the epochs
 * @param params the trained model's parameters
 * @param macs the trained model's multiply-accumulates per image
 * @param history one row per epoch
 * @param peakResidentBytes the process's peak resident memory, where the platform tells
 * @param source where the model came from (pretrain only), e.g. {@code built-in vgg16}
 * @param stdRuleSparsity share of coefficients below the standard-deviation rule's threshold (retrain)
 * @param zeroCoefficients share of coefficients that are exactly zero (retrain, finetune)
 * @param l1 the L1 penalty trained with (retrain)
 * @param switchEvery how often retraining switched between bases and coefficients (retrain)
 * @param maskedTensors how many tensors the pruner's masks held fixed (finetune)
 */
public record TrainingSummary(double accuracy, double top5, double loss, int epochs, OptionalInt resumedFromEpoch,
        OptionalDouble imagesPerSecond, double trainingSeconds, long params, long macs, List<Epoch> history,
        OptionalLong peakResidentBytes, Optional<String> source, OptionalDouble stdRuleSparsity,
        OptionalDouble zeroCoefficients, OptionalDouble l1, OptionalInt switchEvery, OptionalInt maskedTensors)
        implements StageSummary {

    /** Checks the fields and copies the history. */
    public TrainingSummary {
        Objects.requireNonNull(resumedFromEpoch, "resumedFromEpoch");
        Objects.requireNonNull(imagesPerSecond, "imagesPerSecond");
        Objects.requireNonNull(peakResidentBytes, "peakResidentBytes");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(stdRuleSparsity, "stdRuleSparsity");
        Objects.requireNonNull(zeroCoefficients, "zeroCoefficients");
        Objects.requireNonNull(l1, "l1");
        Objects.requireNonNull(switchEvery, "switchEvery");
        Objects.requireNonNull(maskedTensors, "maskedTensors");
        history = List.copyOf(history);
    }

    /**
     * The images trained on, estimated from the mean throughput and the training time.
     *
     * @return the count, when it trained
     */
    public OptionalLong trainedImages() {
        return imagesPerSecond.isPresent() ? OptionalLong.of((long) (imagesPerSecond.getAsDouble() * trainingSeconds))
                : OptionalLong.empty();
    }

    @Override
    public Map<String, Object> headline() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("accuracy", accuracy);
        h.put("top5", top5);
        h.put("loss", loss);
        h.put("epochs", epochs);
        resumedFromEpoch.ifPresent(v -> h.put("resumedFromEpoch", v));
        imagesPerSecond.ifPresent(v -> h.put("imagesPerSecond", v));
        h.put("trainingSeconds", trainingSeconds);
        h.put("params", params);
        h.put("macs", macs);
        peakResidentBytes.ifPresent(v -> h.put("peakResidentBytes", v));
        source.ifPresent(v -> h.put("source", v));
        stdRuleSparsity.ifPresent(v -> h.put("stdRuleSparsity", v));
        zeroCoefficients.ifPresent(v -> h.put("zeroCoefficients", v));
        l1.ifPresent(v -> h.put("l1", v));
        switchEvery.ifPresent(v -> h.put("switchEvery", v));
        maskedTensors.ifPresent(v -> h.put("maskedTensors", v));
        return h;
    }

    /**
     * One epoch of training.
     *
     * @param epoch the epoch, from 1
     * @param training what was trained (e.g. {@code all}, {@code bases}, {@code coefficients})
     * @param learningRate the learning rate
     * @param loss mean training loss
     * @param accuracy training accuracy, 0..1
     * @param testAccuracy test accuracy, when it was measured after this epoch
     * @param testLoss test loss, when it was measured after this epoch
     * @param zeroCoefficients share of coefficients that are exactly zero
     * @param stdRuleSparsity share of coefficients below the standard-deviation rule's threshold
     * @param imagesPerSecond training throughput
     * @param seconds the epoch's wall time
     */
    public record Epoch(int epoch, String training, double learningRate, double loss, double accuracy,
            OptionalDouble testAccuracy, OptionalDouble testLoss, double zeroCoefficients, double stdRuleSparsity,
            double imagesPerSecond, double seconds) {

        /** Checks the fields. */
        public Epoch {
            Objects.requireNonNull(training, "training");
            Objects.requireNonNull(testAccuracy, "testAccuracy");
            Objects.requireNonNull(testLoss, "testLoss");
        }
    }
}
