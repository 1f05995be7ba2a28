package io.penni.trainer;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;

/**
 * One SGD step's computation for a model: the forward pass with batch statistics, the loss, and the gradients of
 * every trainable parameter. {@link EagerNetwork} computes it layer by layer with native convolutions and its own
 * batch norm; {@link SameDiffStep} with a SameDiff graph, for networks the first does not cover.
 */
interface TrainingStep extends AutoCloseable {

    /**
     * A batch-norm layer whose batch statistics a step reports.
     *
     * @param layer the layer
     * @param valuesPerImage values per channel and image (H × W), for the unbiased running variance
     */
    record BatchNormLayer(Layer.BatchNorm layer, long valuesPerImage) {
    }

    /**
     * What a step computed.
     *
     * @param gradients the loss's gradient of each trainable parameter, by IR name (arrays the next step may reuse)
     * @param logits the logits, {@code [batch × classes]}
     * @param batchMean each batch-norm layer's batch mean, by layer name
     * @param batchVariance each batch-norm layer's biased batch variance, by layer name
     */
    record Result(Map<String, INDArray> gradients, float[] logits, Map<String, INDArray> batchMean,
            Map<String, INDArray> batchVariance) {
    }

    /** @return the trainable parameters' live arrays by IR name, in network order; updating them updates the model */
    Map<String, INDArray> parameters();

    /** @return the batch-norm layers, in network order */
    List<BatchNormLayer> batchNorms();

    /** @return the keep-masks a step must be fed, one per dropout layer that drops */
    List<ModelGraph.DropoutMask> dropoutMasks();

    /** @return number of output classes */
    int classes();

    /**
     * Runs one step.
     *
     * @param input images, {@code [batch, C, H, W]}
     * @param labels one-hot labels, {@code [batch, classes]}
     * @param teacher the teacher's softened probabilities when the loss distils
     * @param keepMasks the dropout keep-masks by {@link ModelGraph.DropoutMask#placeholder()}
     * @return gradients, logits and batch statistics
     */
    Result run(INDArray input, INDArray labels, Optional<INDArray> teacher, Map<String, INDArray> keepMasks);

    /**
     * @param others values of the parameters a step does not train (running statistics), by IR name
     * @return the model with the current parameter values
     */
    Model toModel(Map<String, Tensor> others);

    /** Releases threads; the default holds none. */
    @Override
    default void close() {
    }
}
