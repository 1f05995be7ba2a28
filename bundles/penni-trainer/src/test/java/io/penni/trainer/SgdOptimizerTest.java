package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SgdOptimizerTest {

    private static INDArray array(double... values) {
        return Nd4j.createFromArray(values).castTo(DataType.DOUBLE);
    }

    /**
     * The one-pass Java update (float parameters, what the trainer has) against the ND4J ops (any type, the
     * reference): the same values and velocities over several steps, with and without momentum, Nesterov, weight
     * decay, L1 and a mask, values at exactly zero included (sign 0).
     */
    @Test
    void theJavaUpdateOfFloatParametersEqualsTheNd4jOps() {
        java.util.Random random = new java.util.Random(3);
        SgdOptimizer.Settings[] settings = {
            new SgdOptimizer.Settings(0.9, true, 1e-4), new SgdOptimizer.Settings(0.9, false, 5e-4),
            new SgdOptimizer.Settings(0, false, 0), new SgdOptimizer.Settings(0.5, true, 0),
        };
        for (SgdOptimizer.Settings setting : settings) {
            for (double l1 : new double[] {0, 1e-3}) {
                for (boolean masked : new boolean[] {false, true}) {
                    int n = 37;
                    float[] start = new float[n];
                    float[] keep = new float[n];
                    for (int i = 0; i < n; i++) {
                        start[i] = i % 7 == 0 ? 0f : (float) random.nextGaussian();
                        keep[i] = i % 3 == 0 ? 0f : 1f;
                    }
                    INDArray p1 = Nd4j.createFromArray(start.clone());
                    INDArray p2 = Nd4j.createFromArray(start.clone());
                    INDArray v1 = p1.ulike();
                    INDArray v2 = p2.ulike();
                    INDArray mask = masked ? Nd4j.createFromArray(keep) : null;
                    SgdOptimizer sgd = new SgdOptimizer(setting);
                    for (int step = 0; step < 4; step++) {
                        float[] g = new float[n];
                        for (int i = 0; i < n; i++) {
                            g[i] = (float) random.nextGaussian();
                        }
                        INDArray v1s = setting.momentum() != 0 ? v1 : null;
                        INDArray v2s = setting.momentum() != 0 ? v2 : null;
                        sgd.updateWithNd4j(p1, Nd4j.createFromArray(g.clone()), v1s, mask, l1, 0.05);
                        sgd.updateInJava(p2, Nd4j.createFromArray(g.clone()), v2s, mask, l1, 0.05);
                        String what = setting + ", l1 " + l1 + ", mask " + masked + ", step " + step;
                        assertArrayEquals(p1.toFloatVector(), p2.toFloatVector(), 1e-6f, what);
                        assertArrayEquals(v1.toFloatVector(), v2.toFloatVector(), 1e-6f, what + " (velocity)");
                    }
                    if (masked) {
                        for (int i = 0; i < n; i += 3) {
                            assertEquals(0f, Math.abs(p2.getFloat(i)), "a masked value stays exactly zero");
                        }
                    }
                }
            }
        }
    }

    @Test
    void nesterovMomentumWithWeightDecayFollowsTheDefinition() {
        SgdOptimizer sgd = new SgdOptimizer(new SgdOptimizer.Settings(0.9, true, 0.1));
        INDArray p = array(1.0, -2.0);
        INDArray g = array(0.5, 0.25);
        sgd.step(Map.of("p", p), Map.of("p", g), 0.01, Set.of(), Map.of(), Map.of());
        // d = g + 0.1 p = (0.6, 0.05); v = d; update = d + 0.9 v = 1.9 d
        assertArrayEquals(new double[] {1.0 - 0.01 * 1.9 * 0.6, -2.0 - 0.01 * 1.9 * 0.05}, p.toDoubleVector(), 1e-12);
        double p0 = p.getDouble(0);
        sgd.step(Map.of("p", p), Map.of("p", g), 0.01, Set.of(), Map.of(), Map.of());
        double d = 0.5 + 0.1 * p0;
        double v = 0.9 * 0.6 + d;
        assertEquals(p0 - 0.01 * (d + 0.9 * v), p.getDouble(0), 1e-12);
    }

    @Test
    void aFrozenParameterDoesNotMoveAndNeitherDoesItsMomentum() {
        SgdOptimizer sgd = new SgdOptimizer(new SgdOptimizer.Settings(0.9, false, 0.0));
        INDArray p = array(1.0);
        INDArray g = array(1.0);
        sgd.step(Map.of("p", p), Map.of("p", g), 0.1, Set.of(), Map.of(), Map.of());
        INDArray velocityBefore = sgd.state().get("p").dup();
        double valueBefore = p.getDouble(0);
        for (int i = 0; i < 5; i++) {
            sgd.step(Map.of("p", p), Map.of("p", array(3.0)), 0.1, Set.of("p"), Map.of(), Map.of());
        }
        assertEquals(valueBefore, p.getDouble(0));
        assertEquals(velocityBefore, sgd.state().get("p"));
        // unfrozen, it resumes with the velocity it had
        sgd.step(Map.of("p", p), Map.of("p", g), 0.1, Set.of(), Map.of(), Map.of());
        assertEquals(valueBefore - 0.1 * (0.9 * 1.0 + 1.0), p.getDouble(0), 1e-12);
    }

    @Test
    void maskedValuesStayExactlyZeroInValueAndVelocity() {
        SgdOptimizer sgd = new SgdOptimizer(new SgdOptimizer.Settings(0.9, true, 1e-4));
        INDArray p = array(0.0, 0.7, 0.0);
        INDArray mask = array(0.0, 1.0, 0.0);
        for (int i = 0; i < 10; i++) {
            sgd.step(Map.of("p", p), Map.of("p", array(0.3, -0.2, -5.0)), 0.05, Set.of(), Map.of("p", 1e-2),
                    Map.of("p", mask));
        }
        assertEquals(0.0, p.getDouble(0));
        assertEquals(0.0, p.getDouble(2));
        assertEquals(0.0, sgd.state().get("p").getDouble(0));
        assertEquals(0.0, sgd.state().get("p").getDouble(2));
        assertEquals(true, p.getDouble(1) != 0.7, "the kept value trains");
    }

    @Test
    void l1PullsValuesTowardsZeroBySignTimesStrength() {
        SgdOptimizer sgd = new SgdOptimizer(new SgdOptimizer.Settings(0.0, false, 0.0));
        INDArray p = array(2.0, -2.0, 0.0);
        sgd.step(Map.of("p", p), Map.of("p", array(0, 0, 0)), 0.5, Set.of(), Map.of("p", 0.1), Map.of());
        assertArrayEquals(new double[] {1.95, -1.95, 0.0}, p.toDoubleVector(), 1e-12);
    }

    @Test
    void theStepScheduleMultipliesAtFiftyAndSeventyFivePercent() {
        LearningRateSchedule s = LearningRateSchedule.of(io.penni.api.job.TrainingSchedule.paper(8));
        assertEquals(0.01, s.rate(0), 1e-15);
        assertEquals(0.01, s.rate(3), 1e-15);
        assertEquals(0.001, s.rate(4), 1e-15);
        assertEquals(0.0001, s.rate(6), 1e-15);
    }

    @Test
    void theCosineScheduleFallsFromTheInitialRateTowardsZeroIgnoringMilestones() {
        io.penni.api.job.TrainingSchedule paper = io.penni.api.job.TrainingSchedule.paper(4);
        LearningRateSchedule s = LearningRateSchedule.of(new io.penni.api.job.TrainingSchedule(4, 0.1,
                paper.milestones(), paper.gamma(), 128, 0.9, true, 1e-4,
                io.penni.api.job.TrainingSchedule.RateShape.COSINE));
        assertEquals(0.1, s.rate(0), 1e-15);
        assertEquals(0.1 * (1 + Math.cos(Math.PI / 4)) / 2, s.rate(1), 1e-15);
        assertEquals(0.05, s.rate(2), 1e-15);
        assertEquals(0.1 * (1 + Math.cos(3 * Math.PI / 4)) / 2, s.rate(3), 1e-15);
        for (int e = 1; e < 4; e++) {
            org.junit.jupiter.api.Assertions.assertTrue(s.rate(e) < s.rate(e - 1), "falls at epoch " + e);
            org.junit.jupiter.api.Assertions.assertTrue(s.rate(e) > 0, "stays above zero at epoch " + e);
        }
    }
}
