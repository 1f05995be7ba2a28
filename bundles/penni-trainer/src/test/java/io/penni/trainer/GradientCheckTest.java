package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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

    /** The explicit pad op before each window padded per side passes the gradient back to the layers before it. */
    @Test
    void windowsPaddedPerSideHaveExactGradients() {
        check(TinyModels.padded(5), 3, 2, 5, 5, 3);
    }

    @Test
    void windowsPaddedPerSideComputeWhatTheReferenceForwardPassComputes() {
        Model model = TinyModels.padded(6);
        Tensor images = gaussian(10, 3, 2, 5, 5);
        float[] logits = inferredLogits(model, images);
        float[] reference = ReferenceForward.forward(model, images).data();
        assertEquals(reference.length, logits.length);
        for (int i = 0; i < reference.length; i++) {
            assertEquals(reference[i], logits[i], 1e-4, "logit " + i);
        }
    }

    @Test
    void aBoundedReluComputesWhatTheReferenceForwardPassComputes() {
        Model model = TinyModels.clipped(4);
        Tensor images = gaussian(9, 2, 2, 5, 5);
        float[] logits = inferredLogits(model, images);
        Map<String, Tensor> activations = ReferenceForward.activations(model, images);
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

    /** @return standard normal images of that shape, seeded */
    private static Tensor gaussian(long seed, int... shape) {
        Random random = new Random(seed);
        float[] values = new float[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new Tensor(shape, values);
    }

    /** @return the logits of the model's inference graph in float, flat */
    private static float[] inferredLogits(Model model, Tensor images) {
        ModelGraph graph = ModelGraph.build(model, ModelGraph.Mode.INFER, DataType.FLOAT);
        INDArray input = Nd4j.create(images.data(), Arrays.stream(images.shape()).asLongStream().toArray());
        return graph.sameDiff().output(Map.of(ModelGraph.INPUT, input), ModelGraph.LOGITS).get(ModelGraph.LOGITS)
                .reshape(-1).toFloatVector();
    }

    @Test
    void theDistillationLossesGradientsMatchCentralDifferences() {
        ModelGraph.DistillationLoss loss = new ModelGraph.DistillationLoss(0.7, 3);
        check(ModelGraph.distilling(TinyModels.residual(2), DataType.DOUBLE, loss), 4, 2, 6, 6, 3);
    }

    @Test
    void theDistillationLossIsTheWeightedSumOfCrossEntropyAndTheTemperedKl() {
        ModelGraph.DistillationLoss weights = new ModelGraph.DistillationLoss(0.7, 3);
        ModelGraph graph = ModelGraph.distilling(TinyModels.residual(2), DataType.DOUBLE, weights);
        Map<String, INDArray> feed = feed(4, 2, 6, 6, 3);
        var out = graph.sameDiff().output(feed, java.util.List.of(ModelGraph.LOSS, ModelGraph.LOGITS));
        double[] z = out.get(ModelGraph.LOGITS).dup('c').data().asDouble();
        double[] y = feed.get(ModelGraph.LABELS).dup('c').data().asDouble();
        double[] p = feed.get(ModelGraph.TEACHER).dup('c').data().asDouble();
        double ce = 0;
        double kl = 0;
        double entropy = 0;
        for (int b = 0; b < 4; b++) {
            double norm = 0;
            double normT = 0;
            for (int c = 0; c < 3; c++) {
                norm += Math.exp(z[b * 3 + c]);
                normT += Math.exp(z[b * 3 + c] / 3);
            }
            for (int c = 0; c < 3; c++) {
                int i = b * 3 + c;
                ce -= y[i] * (z[i] - Math.log(norm));
                kl += p[i] * (Math.log(p[i]) - (z[i] / 3 - Math.log(normT)));
                entropy -= p[i] * Math.log(p[i]);
            }
        }
        ce /= 4;
        kl /= 4;
        entropy /= 4;
        // the graph's loss carries the teacher's entropy, a constant of the step, beside the KL term
        double expected = 0.3 * ce + 0.7 * 9 * (kl + entropy);
        assertEquals(expected, out.get(ModelGraph.LOSS).getDouble(0), 1e-12);
        float[] zf = new float[z.length];
        float[] pf = new float[p.length];
        for (int i = 0; i < z.length; i++) {
            zf[i] = (float) z[i];
            pf[i] = (float) p[i];
        }
        assertEquals(kl, TeacherSignal.meanKl(pf, zf, 4, 3, 3), 1e-6, "the reported KL is the same divergence");
    }

    private static Map<String, INDArray> feed(int batch, int channels, int height, int width, int classes) {
        Random random = new Random(7);
        INDArray input = Nd4j.create(DataType.DOUBLE, batch, channels, height, width);
        for (long i = 0; i < input.length(); i++) {
            input.putScalar(i, random.nextGaussian());
        }
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int b = 0; b < batch; b++) {
            labels.putScalar(b, b % classes, 1.0);
        }
        // a teacher's softened output: a softmax of random logits
        float[] teacherLogits = new float[batch * classes];
        for (int i = 0; i < teacherLogits.length; i++) {
            teacherLogits[i] = (float) (3 * random.nextGaussian());
        }
        INDArray teacher = Nd4j.create(TeacherSignal.soften(teacherLogits, batch, classes, 1.0),
                new long[] {batch, classes}, 'c').castTo(DataType.DOUBLE);
        return Map.of(ModelGraph.INPUT, input, ModelGraph.LABELS, labels, ModelGraph.TEACHER, teacher);
    }

    private static void check(Model model, int batch, int channels, int height, int width, int classes) {
        check(ModelGraph.build(model, ModelGraph.Mode.TRAIN, DataType.DOUBLE), batch, channels, height, width, classes);
    }

    private static void check(ModelGraph graph, int batch, int channels, int height, int width, int classes) {
        Map<String, INDArray> all = feed(batch, channels, height, width, classes);
        Map<String, INDArray> feed = graph.sameDiff().hasVariable(ModelGraph.TEACHER) ? all
                : Map.of(ModelGraph.INPUT, all.get(ModelGraph.INPUT), ModelGraph.LABELS, all.get(ModelGraph.LABELS));
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
