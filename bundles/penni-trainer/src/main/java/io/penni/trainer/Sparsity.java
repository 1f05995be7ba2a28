package io.penni.trainer;

import java.util.Map;

import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;

/**
 * How sparse a model's coefficients are: exactly zero, and below the paper's per-layer threshold (|c| less
 * than the layer's standard deviation of coefficients).
 *
 * @param zeroFraction fraction of all coefficients that are exactly zero
 * @param belowStdFraction fraction below their layer's standard deviation
 * @param coefficients coefficients counted
 */
public record Sparsity(double zeroFraction, double belowStdFraction, long coefficients) {

    /**
     * @param model a model; layers without coefficients are not counted
     * @return its sparsity (zeros when it has no coefficients)
     */
    public static Sparsity of(Model model) {
        long total = 0;
        long zeros = 0;
        long below = 0;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            if (!e.getKey().endsWith("." + ParameterNames.COEFFICIENTS)) {
                continue;
            }
            float[] c = e.getValue().data();
            double sum = 0;
            double sumSq = 0;
            for (float v : c) {
                sum += v;
                sumSq += (double) v * v;
            }
            double mean = sum / c.length;
            double std = Math.sqrt(Math.max(0, sumSq / c.length - mean * mean));
            for (float v : c) {
                if (v == 0f) {
                    zeros++;
                }
                if (Math.abs(v) < std) {
                    below++;
                }
            }
            total += c.length;
        }
        return total == 0 ? new Sparsity(0, 0, 0)
                : new Sparsity((double) zeros / total, (double) below / total, total);
    }
}
