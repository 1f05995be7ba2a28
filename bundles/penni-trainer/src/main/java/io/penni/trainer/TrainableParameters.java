package io.penni.trainer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;

/** A step's trainable parameters with what the run says about each. */
final class TrainableParameters {
    private final List<TrainingStep.BatchNormLayer> batchNorms;
    private final Map<String, INDArray> arrays = new LinkedHashMap<>();
    private final Set<String> coefficients = new HashSet<>();
    private final Set<String> bases = new HashSet<>();
    private final Map<String, Double> l1 = new HashMap<>();
    private final Map<String, INDArray> masks = new HashMap<>();
    private final Map<String, INDArray> runningMean = new LinkedHashMap<>();
    private final Map<String, INDArray> runningVar = new LinkedHashMap<>();
    private final double l1Strength;

    TrainableParameters(TrainingStep step, Model model, TrainingRun run) {
        this.batchNorms = step.batchNorms();
        this.l1Strength = run.l1();
        for (Map.Entry<String, INDArray> e : step.parameters().entrySet()) {
            String p = e.getKey();
            arrays.put(p, e.getValue());
            if (p.endsWith("." + ParameterNames.COEFFICIENTS)) {
                coefficients.add(p);
                if (run.l1() > 0) {
                    l1.put(p, run.l1());
                }
            } else if (p.endsWith("." + ParameterNames.BASIS)) {
                bases.add(p);
            }
        }
        run.masks().forEach((name, mask) -> {
            INDArray p = arrays.get(name);
            if (p == null) {
                throw new IllegalArgumentException("mask for " + name + ", which is not a trainable parameter");
            }
            INDArray m = Trainer.toArray(mask).castTo(p.dataType());
            if (!java.util.Arrays.equals(m.shape(), p.shape())) {
                throw new IllegalArgumentException("mask for " + name + " has shape "
                        + java.util.Arrays.toString(m.shape()) + ", the parameter " + java.util.Arrays.toString(p.shape()));
            }
            if (run.gradualEpochs() == 0) {
                p.muli(m);
            }
            masks.put(name, m);
        });
        for (TrainingStep.BatchNormLayer s : batchNorms) {
            String layer = s.layer().name();
            runningMean.put(layer, Trainer.toArray(model.parameters().get(ParameterNames.of(layer, ParameterNames.RUNNING_MEAN))));
            runningVar.put(layer, Trainer.toArray(model.parameters().get(ParameterNames.of(layer, ParameterNames.RUNNING_VAR))));
        }
    }

    Map<String, INDArray> arrays() {
        return arrays;
    }

    Set<String> frozenWhileTraining(String training) {
        return switch (training) {
            case "coefficients" -> bases;
            case "bases" -> coefficients;
            default -> Set.of();
        };
    }

    Map<String, Double> l1() {
        return l1;
    }

    /** @return the masks the optimizer holds (live: a gradual run replaces them as it goes) */
    Map<String, INDArray> masks() {
        return masks;
    }

    double l1Term() {
        if (l1Strength == 0) {
            return 0;
        }
        double sum = 0;
        for (String c : coefficients) {
            sum += arrays.get(c).norm1Number().doubleValue();
        }
        return l1Strength * sum;
    }

    void updateRunningStatistics(TrainingStep.Result step, int batch) {
        for (TrainingStep.BatchNormLayer s : batchNorms) {
            Layer.BatchNorm bn = s.layer();
            INDArray mean = step.batchMean().get(bn.name());
            INDArray var = step.batchVariance().get(bn.name());
            double n = (double) batch * s.valuesPerImage();
            double unbias = n > 1 ? n / (n - 1) : 1;
            double m = bn.momentum();
            runningMean.get(bn.name()).muli(1 - m).addi(mean.castTo(DataType.FLOAT).mul(m));
            runningVar.get(bn.name()).muli(1 - m).addi(var.castTo(DataType.FLOAT).mul(m * unbias));
        }
    }

    Map<String, Tensor> runningStatistics() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        runningMean.forEach((layer, a) -> out.put(ParameterNames.of(layer, ParameterNames.RUNNING_MEAN), Trainer.toTensor(a)));
        runningVar.forEach((layer, a) -> out.put(ParameterNames.of(layer, ParameterNames.RUNNING_VAR), Trainer.toTensor(a)));
        return out;
    }
}
