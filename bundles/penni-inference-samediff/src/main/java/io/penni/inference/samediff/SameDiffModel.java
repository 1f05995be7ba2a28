package io.penni.inference.samediff;

import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.model.ModelCount;
import io.penni.model.NetworkShapes;
import io.penni.trainer.ModelGraph;

/**
 * A model as a SameDiff inference graph. Runs are serialised (a SameDiff graph is not safe to run from two
 * threads at once). Memory is reported as the model counts it, not as ND4J allocates it: weights are every
 * parameter the graph holds (float32), and a batch's workspace is {@link ModelCount#peakActivationBytes()}
 * per image, the activations that must be alive at once; oneDNN's own scratch is not visible from Java.
 */
public final class SameDiffModel implements LoadedModel {

    private final ModelGraph graph;
    private final ActivationShape input;
    private final int outputs;
    private final long weightBytes;
    private final long peakActivationBytes;
    private final long macs;
    private boolean closed;

    SameDiffModel(ModelGraph graph, Model model, ModelCount count) {
        this.graph = graph;
        this.input = NetworkShapes.input(model.network());
        this.outputs = graph.classes();
        long parameters = 0;
        for (Tensor t : model.parameters().values()) {
            parameters += t.size();
        }
        this.weightBytes = parameters * Float.BYTES;
        this.peakActivationBytes = count.peakActivationBytes();
        this.macs = count.macs();
    }

    /** @return multiply-accumulates per image, as the model counts them */
    public long macs() {
        return macs;
    }

    @Override
    public ActivationShape inputShape() {
        return input;
    }

    @Override
    public int outputSize() {
        return outputs;
    }

    @Override
    public synchronized float[] run(float[] values, int batch) {
        if (closed) {
            throw new IllegalStateException("the model is closed");
        }
        long expected = (long) batch * input.size();
        if (batch < 1 || values.length != expected) {
            throw new IllegalArgumentException("a batch of " + batch + " images of " + input + " needs " + expected
                    + " values, got " + values.length);
        }
        SameDiff sd = graph.sameDiff();
        try (INDArray images = Nd4j.create(values, new long[] {batch, input.channels(), input.height(),
                input.width()}, 'c')) {
            Map<String, INDArray> out = sd.output(Map.of(ModelGraph.INPUT, images), ModelGraph.LOGITS);
            INDArray logits = out.get(ModelGraph.LOGITS);
            float[] result = logits.castTo(DataType.FLOAT).dup('c').data().asFloat();
            logits.close();
            return result;
        }
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public long workspaceBytes(int batch) {
        return peakActivationBytes * batch;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
