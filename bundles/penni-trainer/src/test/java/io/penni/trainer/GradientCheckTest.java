package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.model.ReferenceForward;

/**
 * Analytic gradients of the SameDiff graphs against central differences, in double precision, for every
 * parameter tensor (all values of small ones, an even spread of larger ones), in TRAIN mode, where batch
 * norm uses the batch's statistics.
 */
class GradientCheckTest {

    private static final double EPSILON = 1e-6;
    private static final double MAX_RELATIVE_ERROR = 1e-5;
    /** Gradients this small are compared absolutely: their relative error is round-off. */
    private static final double ABSOLUTE_FLOOR = 1e-9;

    @Test
    void theDecomposedLayersGradientsMatchCentralDifferences() {
        check(TinyModels.decomposedLayer(1), 3, 2, 5, 5, 4);
    }

    @Test
    void aDecomposedNetworkWithBatchNormAndAResidualAddHasExactGradients() {
        check(TinyModels.residual(2), 4, 2, 6, 6, 3);
    }

    @Test
    void aBoundedReluPassesGradientsOnlyBetweenItsBounds() {
        check(TinyModels.clipped(3), 3, 2, 5, 5, 4);
    }

    @Test
    void aBoundedReluComputesWhatTheReferenceForwardPassComputes() {
        Model model = TinyModels.clipped(4);
        ModelGraph graph = ModelGraph.build(model, ModelGraph.Mode.INFER, DataType.FLOAT);
        Random random = new Random(9);
        float[] images = new float[2 * 2 * 5 * 5];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        INDArray input = Nd4j.create(images, new long[] {2, 2, 5, 5});
        float[] logits = graph.sameDiff().output(Map.of(ModelGraph.INPUT, input), ModelGraph.LOGITS)
                .get(ModelGraph.LOGITS).reshape(-1).toFloatVector();
        Map<String, Tensor> activations = ReferenceForward.activations(model,
                new Tensor(new int[] {2, 2, 5, 5}, images));
        float[] clipped = activations.get("relu6").data();
        float below = 0;
        float above = 0;
        for (float v : clipped) {
            below += v == 0f ? 1 : 0;
            above += v == 0.4f ? 1 : 0;
        }
        assertTrue(below > 0 && above > 0, "the test input reaches both bounds: " + below + " at 0, " + above
                + " at 0.4");
        float[] reference = activations.get("fc").data();
        for (int i = 0; i < reference.length; i++) {
            assertEquals(reference[i], logits[i], 1e-4, "logit " + i);
        }
    }

    private static void check(Model model, int batch, int channels, int height, int width, int classes) {
        ModelGraph graph = ModelGraph.build(model, ModelGraph.Mode.TRAIN, DataType.DOUBLE);
        Random random = new Random(7);
        INDArray input = Nd4j.create(DataType.DOUBLE, batch, channels, height, width);
        for (long i = 0; i < input.length(); i++) {
            input.putScalar(i, random.nextGaussian());
        }
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int b = 0; b < batch; b++) {
            labels.putScalar(b, b % classes, 1.0);
        }
        Map<String, INDArray> feed = Map.of(ModelGraph.INPUT, input, ModelGraph.LABELS, labels);
        var sd = graph.sameDiff();
        String[] variables = graph.parameters().stream().map(graph::variable).toArray(String[]::new);
        Map<String, INDArray> analytic = sd.calculateGradients(feed, variables);

        int checked = 0;
        double worst = 0;
        String worstAt = "";
        for (String parameter : graph.parameters()) {
            INDArray p = graph.parameter(parameter);
            INDArray g = analytic.get(graph.variable(parameter));
            // every value of small tensors, an even spread of 16 of larger ones
            long step = Math.max(1, p.length() / 16);
            for (long i = 0; i < p.length(); i += step) {
                double original = p.getDouble(i);
                p.putScalar(i, original + EPSILON);
                double plus = loss(sd, feed);
                p.putScalar(i, original - EPSILON);
                double minus = loss(sd, feed);
                p.putScalar(i, original);
                double numeric = (plus - minus) / (2 * EPSILON);
                double a = g.getDouble(i);
                double error = Math.abs(a - numeric) <= ABSOLUTE_FLOOR ? 0
                        : Math.abs(a - numeric) / (Math.abs(a) + Math.abs(numeric));
                if (error > worst) {
                    worst = error;
                    worstAt = parameter + "[" + i + "] analytic " + a + " numeric " + numeric;
                }
                checked++;
            }
        }
        assertTrue(checked > 40, "checked " + checked + " values");
        assertTrue(worst < MAX_RELATIVE_ERROR, "worst relative error " + worst + " at " + worstAt);
    }

    private static double loss(org.nd4j.autodiff.samediff.SameDiff sd, Map<String, INDArray> feed) {
        return sd.output(feed, Collections.singletonList(ModelGraph.LOSS)).get(ModelGraph.LOSS).getDouble(0);
    }
}
