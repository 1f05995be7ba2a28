package io.penni.trainer;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.penni.api.model.Model;
import io.penni.api.model.Tensor;

/** A training step computed by a SameDiff graph ({@link ModelGraph}), for any network the graph can express. */
final class SameDiffStep implements TrainingStep {
    private final ModelGraph graph;
    private final StepCapture capture;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private final String[] variables;
    private final Map<String, String> parameterOfVariable = new HashMap<>();

    SameDiffStep(Model model, Optional<ModelGraph.DistillationLoss> distillation) {
        this.graph = distillation.isPresent() ? ModelGraph.distilling(model, DataType.FLOAT, distillation.get())
                : ModelGraph.build(model, ModelGraph.Mode.TRAIN, DataType.FLOAT);
        this.capture = new StepCapture(graph);
        graph.sameDiff().setListeners(capture);
        for (String p : graph.parameters()) {
            parameters.put(p, graph.parameter(p));
            parameterOfVariable.put(graph.variable(p), p);
        }
        this.variables = parameters.keySet().stream().map(graph::variable).toArray(String[]::new);
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public List<BatchNormLayer> batchNorms() {
        return graph.batchNormStatistics().stream().map(s -> new BatchNormLayer(s.layer(), s.valuesPerImage()))
                .toList();
    }

    @Override
    public List<ModelGraph.DropoutMask> dropoutMasks() {
        return graph.dropoutMasks();
    }

    @Override
    public int classes() {
        return graph.classes();
    }

    @Override
    public Result run(INDArray input, INDArray labels, Optional<INDArray> teacher, Map<String, INDArray> keepMasks) {
        Map<String, INDArray> feed = new HashMap<>(keepMasks);
        feed.put(ModelGraph.INPUT, input);
        feed.put(ModelGraph.LABELS, labels);
        teacher.ifPresent(t -> feed.put(ModelGraph.TEACHER, t));
        Map<String, INDArray> gradients = new HashMap<>();
        graph.sameDiff().calculateGradients(feed, variables).forEach((variable, g) -> {
            String p = parameterOfVariable.get(variable);
            if (p != null) {
                gradients.put(p, g);
            }
        });
        Map<String, INDArray> mean = new HashMap<>();
        Map<String, INDArray> variance = new HashMap<>();
        for (ModelGraph.BatchNormStatistics s : graph.batchNormStatistics()) {
            mean.put(s.layer().name(), capture.array(s.mean()));
            variance.put(s.layer().name(), capture.array(s.variance()));
        }
        return new Result(gradients, capture.logits(), mean, variance);
    }

    @Override
    public Model toModel(Map<String, Tensor> others) {
        return graph.toModel(others);
    }
}
