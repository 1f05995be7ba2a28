package io.penni.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Keeps copies of the arrays a step computes on the way that the trainer needs afterwards. */
final class StepCapture extends BaseListener {
    private final Set<String> wanted = new HashSet<>();
    private final Map<String, INDArray> captured = new HashMap<>();

    StepCapture(ModelGraph graph) {
        // the loss op itself does not run when only gradients are asked for; the logits do
        wanted.add(ModelGraph.LOGITS);
        for (ModelGraph.BatchNormStatistics s : graph.batchNormStatistics()) {
            wanted.add(s.mean());
            wanted.add(s.variance());
        }
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
            INDArray[] outputs) {
        List<String> names = op.getOutputsOfOp();
        for (int i = 0; i < names.size(); i++) {
            if (wanted.contains(names.get(i))) {
                // SameDiff may reuse the array once the step moves on
                captured.put(names.get(i), outputs[i].dup());
            }
        }
    }

    INDArray array(String name) {
        INDArray a = captured.get(name);
        if (a == null) {
            throw new UncheckedIOException(new IOException("the step did not compute " + name));
        }
        return a;
    }

    /** @return the step's logits, {@code [batch × classes]} */
    float[] logits() {
        return array(ModelGraph.LOGITS).castTo(DataType.FLOAT).data().asFloat();
    }
}
