package io.penni.trainer;

import java.util.OptionalDouble;

/**
 * What one epoch did.
 *
 * @param phase the run's phase
 * @param epoch the epoch, from 1
 * @param epochs epochs in the run
 * @param learningRate the epoch's learning rate
 * @param training which parameters trained: {@code all}, {@code coefficients} or {@code bases}
 * @param loss mean training loss (cross-entropy plus the L1 term)
 * @param accuracy training accuracy over the epoch's batches
 * @param testAccuracy top-1 on the test split, when evaluated after this epoch
 * @param testLoss loss on the test split, when evaluated
 * @param zeroCoefficients fraction of coefficients that are exactly zero
 * @param stdRuleSparsity fraction of coefficients the paper's rule would prune now (|c| below its layer's std)
 * @param imagesPerSecond training throughput
 * @param seconds wall time of the epoch's training
 */
public record EpochReport(String phase, int epoch, int epochs, double learningRate, String training, double loss,
        double accuracy, OptionalDouble testAccuracy, OptionalDouble testLoss, double zeroCoefficients,
        double stdRuleSparsity, double imagesPerSecond, double seconds) {
}
