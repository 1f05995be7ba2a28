package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The graph operations with rewritten backward passes compute exactly what ND4J's own operations compute. */
class FastOpsTest {

    @Test
    void theReluAndItsGradientEqualNd4jsReluIncludingAtZero() {
        // positives, negatives and exact zeros (a pruned channel's activations), and a gradient of every sign
        float[] values = new float[2 * 3 * 4 * 4];
        float[] weights = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 5 == 0 ? 0f : (float) Math.sin(i * 1.7) * (1 + i % 3);
            weights[i] = (float) Math.cos(i * 0.9);
        }
        INDArray x = Nd4j.create(values, new long[] {2, 3, 4, 4}, 'c');
        INDArray w = Nd4j.create(weights, new long[] {2, 3, 4, 4}, 'c');
        Map<String, INDArray> nd4j = gradientAndOutput(x, w, (sd, v) -> sd.nn().relu(v, 0));
        Map<String, INDArray> ours = gradientAndOutput(x, w, FastOps::relu);
        assertEquals(nd4j.get("y"), ours.get("y"), "forward");
        assertEquals(nd4j.get("x"), ours.get("x"), "gradient");
    }

    /** The op's output and the gradient of sum(op(x) · w) with respect to x. */
    private static Map<String, INDArray> gradientAndOutput(INDArray x, INDArray w,
            BiFunction<SameDiff, SDVariable, SDVariable> op) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var("x", x.dup());
        SDVariable y = sd.identity("y", op.apply(sd, in));
        sd.setLossVariables(y.mul(sd.constant("w", w)).sum("loss"));
        Map<String, INDArray> gradients = sd.calculateGradients(Map.of(), List.of("x"));
        INDArray out = sd.output(Map.of(), "y").get("y");
        assertEquals(DataType.FLOAT, out.dataType());
        return Map.of("x", gradients.get("x"), "y", out);
    }
}
