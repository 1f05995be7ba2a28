package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.penni.api.job.Augmentation;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Padding;
import io.penni.api.model.Tensor;
import io.penni.datasets.DataSplit;
import io.penni.datasets.Normalization;

/** The training loop on real Fashion-MNIST images (small subsets, so the whole class runs in about a minute). */
class TrainerTest {

    private static DataSplit data;
    private static Normalization normalization;

    @BeforeAll
    static void loadData() {
        data = FashionMnist.load(6000, 1000);
        normalization = Normalization.of(data.train());
    }

    /** 1×28×28 → conv 8 (BN, ReLU) → pool → decomposed conv 16, d=4 (BN, ReLU) → pool → linear 784→10. */
    static Model smallNet(long seed) {
        return smallNet(seed, new Layer.DecomposedConv2d("conv2", "pool1", 16, 8, 3, 1, 1, 4, false));
    }

    /** smallNet with the given second convolution (a dense one makes a teacher). */
    private static Model smallNet(long seed, Layer conv2) {
        Network network = new Network("small", List.of(
                new Layer.Input("in", 1, 28, 28),
                new Layer.Conv2d("conv1", "in", 8, 1, 3, 1, 1, 1, false),
                new Layer.BatchNorm("bn1", "conv1", 8, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.Pool("pool1", "relu1", Layer.PoolKind.MAX, 2, 2, 0),
                conv2,
                new Layer.BatchNorm("bn2", "conv2", 16, 1e-5, 0.1),
                new Layer.Relu("relu2", "bn2"),
                new Layer.Pool("pool2", "relu2", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.Flatten("flat", "pool2"),
                new Layer.Linear("fc", "flat", 10, 784, true)), "fc");
        return TinyModels.withRandomParameters(network, seed);
    }

    private static TrainingSchedule schedule(int epochs) {
        return new TrainingSchedule(epochs, 0.05, List.of(0.5, 0.75), 0.1, 64, 0.9, true, 1e-4);
    }

    private static TrainingRun run(String phase, int epochs, OptionalInt alternate, double l1, Map<String, Tensor> masks) {
        return new TrainingRun(phase, schedule(epochs), alternate, l1, masks, Augmentation.NONE, 42, 0);
    }

    @Test
    void itLearnsFashionMnistWellAboveChance() throws Exception {
        TrainingResult result = new Trainer(run("pretrain", 2, OptionalInt.empty(), 0, Map.of()),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(1), data, normalization);
        TestAccuracy evaluation = Evaluator.evaluate(result.model(), data.test(), normalization, 256);
        assertTrue(evaluation.top1() > 0.7, "test accuracy " + evaluation.top1() + " (chance is 0.10)");
        assertTrue(evaluation.top5() >= evaluation.top1());
        assertEquals(2, result.history().size());
        assertTrue(result.history().get(1).loss() < result.history().get(0).loss(), "loss falls: " + result.history());
        assertTrue(result.history().get(1).testAccuracy().isPresent(), "the last epoch is evaluated");
    }

    /**
     * Windows padded per side as TensorFlow's SAME at stride 2 and PyTorch's padding='same' on an even kernel pad them
     * ([0, 0, 1, 1]): 1×28×28 → conv 8 3×3 stride 2 → 14×14 (BN, ReLU) → decomposed 2×2 conv 16 d=3 (BN, ReLU) → max
     * pool 3×3 stride 2 → 7×7 → linear 784→10. One epoch at learning rate 0.01 learns (at 0.05 this net diverges,
     * with the pool padded per side or on every side alike).
     */
    @Test
    void aNetworkPaddedPerSideLearnsFashionMnist() throws Exception {
        Padding same = new Padding(0, 0, 1, 1);
        Network network = new Network("same-padded", List.of(
                new Layer.Input("in", 1, 28, 28),
                new Layer.Conv2d("conv1", "in", 8, 1, 3, 2, same, 1, false),
                new Layer.BatchNorm("bn1", "conv1", 8, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.DecomposedConv2d("conv2", "relu1", 16, 8, 2, 1, same, 3, false),
                new Layer.BatchNorm("bn2", "conv2", 16, 1e-5, 0.1),
                new Layer.Relu("relu2", "bn2"),
                new Layer.Pool("pool", "relu2", Layer.PoolKind.MAX, 3, 2, same),
                new Layer.Flatten("flat", "pool"),
                new Layer.Linear("fc", "flat", 10, 784, true)), "fc");

        TrainingRun run = new TrainingRun("retrain", new TrainingSchedule(1, 0.01, List.of(), 0.1, 64, 0.9, true, 1e-4),
                OptionalInt.empty(), 0, Map.of(), Augmentation.NONE, 42, 0);
        TrainingResult result = new Trainer(run, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(TinyModels.withRandomParameters(network, 7), data, normalization);

        TestAccuracy evaluation = Evaluator.evaluate(result.model(), data.test(), normalization, 256);
        assertTrue(evaluation.top1() > 0.6, "test accuracy " + evaluation.top1() + " (chance is 0.10) " + result.history());
    }

    @Test
    void alternatingTrainingFreezesBasesThenCoefficientsExactly() throws Exception {
        Model start = smallNet(2);
        InMemoryCheckpoints store = new InMemoryCheckpoints();
        new Trainer(run("retrain", 2, OptionalInt.of(1), 1e-4, Map.of()), store, new TrainingListener() { }, () -> false)
                .train(start, data, normalization);
        List<Model> afterEpoch = store.saved.stream().map(c -> new Model(start.network(), c.parameters())).toList();
        // epoch 1 trains coefficients: the basis does not move, the coefficients do
        assertArrayEquals(values(start, "conv2.basis"), values(afterEpoch.get(0), "conv2.basis"));
        assertFalse(Arrays.equals(values(start, "conv2.coefficients"), values(afterEpoch.get(0), "conv2.coefficients")));
        // epoch 2 trains bases: the coefficients do not move, the basis does
        assertArrayEquals(values(afterEpoch.get(0), "conv2.coefficients"), values(afterEpoch.get(1), "conv2.coefficients"));
        assertFalse(Arrays.equals(values(afterEpoch.get(0), "conv2.basis"), values(afterEpoch.get(1), "conv2.basis")));
        // parameters outside decomposed layers train in both
        assertFalse(Arrays.equals(values(afterEpoch.get(0), "conv1.weight"), values(afterEpoch.get(1), "conv1.weight")));
        assertEquals(List.of("coefficients", "bases"), store.saved.get(1).history().stream().map(EpochReport::training).toList());
    }

    @Test
    void prunedCoefficientsStayZeroThroughFineTuning() throws Exception {
        Model start = smallNet(3);
        float[] coefficients = values(start, "conv2.coefficients");
        Map<String, Tensor> masks = oneInThree(start); // prune two in three
        float[] keep = masks.get("conv2.coefficients").data();
        TrainingResult result = new Trainer(run("finetune", 2, OptionalInt.empty(), 0, masks),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false).train(start, data, normalization);
        float[] after = values(result.model(), "conv2.coefficients");
        int kept = 0;
        for (int i = 0; i < after.length; i++) {
            if (keep[i] == 0f) {
                assertTrue(after[i] == 0f, "pruned coefficient " + i + " is " + after[i]); // -0.0 is zero too
            } else if (after[i] != coefficients[i]) {
                kept++;
            }
        }
        assertTrue(kept > 0, "kept coefficients train");
        assertEquals(2.0 / 3, result.history().get(1).zeroCoefficients(), 0.01);
    }

    /** Keep one coefficient of conv2 in three. */
    private static Map<String, Tensor> oneInThree(Model start) {
        float[] keep = new float[values(start, "conv2.coefficients").length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = i % 3 == 0 ? 1f : 0f;
        }
        return Map.of("conv2.coefficients", new Tensor(new int[] {16, 8, 4}, keep));
    }

    @Test
    void gradualPruningStartsUnprunedAndEndsAtExactlyTheMasks() throws Exception {
        Model start = smallNet(3);
        Map<String, Tensor> masks = oneInThree(start);
        float[] keep = masks.get("conv2.coefficients").data();
        TrainingResult result = new Trainer(run("finetune", 3, OptionalInt.empty(), 0, masks).pruningGradually(2),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false).train(start, data, normalization);
        List<Double> zeros = result.history().stream().map(EpochReport::zeroCoefficients).toList();
        // after epoch 1 of a 2-epoch ramp: about 1 - 0.5^3 = 87.5 % of the pruned two thirds are zero
        assertTrue(zeros.get(0) > 0.45 && zeros.get(0) < 0.6, "part way after the first epoch: " + zeros);
        assertTrue(zeros.get(1) > zeros.get(0), "more after the second: " + zeros);
        assertEquals(2.0 / 3, zeros.get(2), 0.01, "all of them in the last epoch: " + zeros);
        float[] after = values(result.model(), "conv2.coefficients");
        for (int i = 0; i < after.length; i++) {
            if (keep[i] == 0f) {
                assertTrue(after[i] == 0f, "pruned coefficient " + i + " is " + after[i]);
            } else {
                assertTrue(after[i] != 0f, "kept coefficient " + i + " is zero");
            }
        }
        assertTrue(result.history().get(2).testAccuracy().orElseThrow() > 0.6, "it still learns: " + result.history());
    }

    @Test
    void aGraduallyPruningRunKilledMidRampResumesToTheUninterruptedResult() throws Exception {
        Model start = smallNet(8);
        TrainingRun run = run("finetune", 3, OptionalInt.empty(), 0, oneInThree(start)).pruningGradually(2);
        Model uninterrupted = new Trainer(run, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(start, data, normalization).model();

        InMemoryCheckpoints store = new InMemoryCheckpoints();
        TrainingResult killed = killedHalfWayThroughEpoch2(run, start, store); // mid-ramp
        assertTrue(killed.cancelled());
        TrainingResult resumed = new Trainer(run, store, new TrainingListener() { }, () -> false)
                .train(start, data, normalization);
        assertEquals(3, resumed.history().size());
        for (String parameter : uninterrupted.parameters().keySet()) {
            assertArrayEquals(values(uninterrupted, parameter), values(resumed.model(), parameter), 0f, parameter);
        }
    }

    @Test
    void resumingFromACheckpointEndsWhereAnUninterruptedRunEnds() throws Exception {
        TrainingRun run = run("retrain", 2, OptionalInt.of(1), 1e-4, Map.of());
        Model uninterrupted = new Trainer(run, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(4), data, normalization).model();

        InMemoryCheckpoints store = new InMemoryCheckpoints();
        AtomicBoolean stop = new AtomicBoolean();
        TrainingResult first = new Trainer(run, store, new TrainingListener() {
            @Override
            public void epoch(EpochReport report) {
                stop.set(true); // the "crash": right after epoch 1's checkpoint
            }
        }, stop::get).train(smallNet(4), data, normalization);
        assertTrue(first.cancelled());
        List<Integer> resumedAt = new ArrayList<>();
        TrainingResult resumed = new Trainer(run, store, new TrainingListener() {
            @Override
            public void resumed(int completedEpochs) {
                resumedAt.add(completedEpochs);
            }
        }, () -> false).train(smallNet(4), data, normalization);

        assertEquals(List.of(1), resumedAt);
        assertEquals(2, resumed.history().size());
        for (String parameter : uninterrupted.parameters().keySet()) {
            assertArrayEquals(values(uninterrupted, parameter), values(resumed.model(), parameter), 1e-6f, parameter);
        }
        assertNotEquals(0, values(resumed.model(), "bn2.running_var")[0], "running statistics are part of the state");
    }

    /**
     * A checkpoint made from another start model, or with other settings, is not continued (the run starts over and
     * ends where an uninterrupted run from its own start ends); one from the same start is; one written before the
     * start was recorded (no fingerprint) is continued as before.
     */
    @Test
    void aCheckpointFromAnotherStartIsSetAsideAndOneFromTheSameStartContinued() throws Exception {
        TrainingRun run = run("retrain", 2, OptionalInt.of(1), 1e-4, Map.of());
        InMemoryCheckpoints store = new InMemoryCheckpoints();
        assertTrue(killedHalfWayThroughEpoch2(run, smallNet(4), store).cancelled());
        Checkpoint epoch1 = store.saved.get(0);
        assertEquals(Trainer.fingerprint(smallNet(4), run), epoch1.startedFrom());

        List<String> notes = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void resumed(int completedEpochs) {
                notes.add("resumed " + completedEpochs);
            }

            @Override
            public void setAside(int completedEpochs) {
                notes.add("set aside " + completedEpochs);
            }
        };
        Model other = new Trainer(run, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(999), data, normalization).model();
        TrainingResult fromOther = new Trainer(run, store, listener, () -> false).train(smallNet(999), data,
                normalization);
        assertEquals(List.of("set aside 1"), notes);
        assertEquals(Optional.empty(), fromOther.resumedFrom());
        assertEquals(2, fromOther.history().size());
        for (String parameter : other.parameters().keySet()) {
            assertArrayEquals(values(other, parameter), values(fromOther.model(), parameter), 0f, parameter);
        }

        // other settings, same start: set aside too
        notes.clear();
        InMemoryCheckpoints again = new InMemoryCheckpoints();
        again.save(epoch1);
        new Trainer(run("retrain", 2, OptionalInt.of(1), 2e-4, Map.of()), again, listener, () -> false)
                .train(smallNet(4), data, normalization);
        assertEquals(List.of("set aside 1"), notes);

        // an old checkpoint, without a fingerprint: continued whatever the start
        notes.clear();
        InMemoryCheckpoints old = new InMemoryCheckpoints();
        old.save(new Checkpoint(epoch1.phase(), epoch1.completedEpochs(), epoch1.parameters(), epoch1.velocity(),
                epoch1.history()));
        new Trainer(run, old, listener, () -> false).train(smallNet(999), data, normalization);
        assertEquals(List.of("resumed 1"), notes);
    }

    /** A dense teacher: smallNet with its decomposed layer made dense, trained one epoch. */
    private static Model teacher;

    private static synchronized Model teacher() throws Exception {
        if (teacher == null) {
            teacher = new Trainer(run("pretrain", 1, OptionalInt.empty(), 0, Map.of()), new InMemoryCheckpoints(),
                    new TrainingListener() { }, () -> false)
                    .train(smallNet(11, new Layer.Conv2d("conv2", "pool1", 16, 8, 3, 1, 1, 1, false)), data,
                            normalization).model();
        }
        return teacher;
    }

    @Test
    void distillationWithAlphaZeroTrainsBitForBitAsWithoutIt() throws Exception {
        TrainingRun plain = run("retrain", 1, OptionalInt.of(1), 1e-4, Map.of());
        Model without = new Trainer(plain, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(5), data, normalization).model();
        Model withAlphaZero = new Trainer(plain.distillingFrom(new Teacher(teacher(), 0, 4, Teacher.Logits.ON_THE_FLY)),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(5), data, normalization).model();
        Model withAlphaHalf = new Trainer(plain.distillingFrom(new Teacher(teacher(), 0.5, 4, Teacher.Logits.ON_THE_FLY)),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(5), data, normalization).model();
        for (String parameter : without.parameters().keySet()) {
            assertArrayEquals(values(without, parameter), values(withAlphaZero, parameter), 0f, parameter);
        }
        assertFalse(Arrays.equals(values(without, "fc.weight"), values(withAlphaHalf, "fc.weight")),
                "a teacher with weight does change training");
    }

    @Test
    void distillingFromADenseTeacherLearnsFashionMnistAndReportsTheDistillationLoss() throws Exception {
        // alpha 0.7 at T 4 learnt far slower here in two epochs (27 % against 66 % at alpha 0.5, T 2: NOTES-distill.md)
        Teacher t = new Teacher(teacher(), 0.5, 2, Teacher.Logits.CACHED);
        List<Double> stepLosses = new ArrayList<>();
        TrainingResult result = new Trainer(run("finetune", 2, OptionalInt.empty(), 0, Map.of()).distillingFrom(t),
                new InMemoryCheckpoints(), new TrainingListener() {
                    @Override
                    public void iteration(int epoch, int epochs, int iteration, int iterations, double loss,
                            double accuracy, double imagesPerSecond) {
                        stepLosses.add(loss);
                    }
                }, () -> false).train(smallNet(6), data, normalization);
        TestAccuracy evaluation = Evaluator.evaluate(result.model(), data.test(), normalization, 256);
        assertTrue(evaluation.top1() > 0.6, "test accuracy " + evaluation.top1() + " (chance is 0.10)");
        assertTrue(result.history().get(1).loss() < result.history().get(0).loss(), "loss falls: " + result.history());
        assertTrue(stepLosses.stream().allMatch(l -> Double.isFinite(l) && l > 0), "losses " + stepLosses);
    }

    @Test
    void theCachedTeacherGivesTheSameTrainingAsTheTeacherRunEveryStep() throws Exception {
        TrainingRun run = run("finetune", 1, OptionalInt.empty(), 0, Map.of());
        Model cached = new Trainer(run.distillingFrom(new Teacher(teacher(), 0.5, 4, Teacher.Logits.CACHED)),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(8), data, normalization).model();
        Model onTheFly = new Trainer(run.distillingFrom(new Teacher(teacher(), 0.5, 4, Teacher.Logits.ON_THE_FLY)),
                new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(8), data, normalization).model();
        // the teacher's logits of one image may differ in the last bit between batchings; training stays close
        for (String parameter : cached.parameters().keySet()) {
            assertArrayEquals(values(onTheFly, parameter), values(cached, parameter), 2e-3f, parameter);
        }
    }

    @Test
    void aDistillingRunKilledMidEpochResumesToTheUninterruptedResult() throws Exception {
        TrainingRun run = run("retrain", 2, OptionalInt.of(1), 1e-4, Map.of())
                .distillingFrom(new Teacher(teacher(), 0.7, 4, Teacher.Logits.CACHED));
        Model uninterrupted = new Trainer(run, new InMemoryCheckpoints(), new TrainingListener() { }, () -> false)
                .train(smallNet(7), data, normalization).model();

        InMemoryCheckpoints store = new InMemoryCheckpoints();
        TrainingResult killed = killedHalfWayThroughEpoch2(run, smallNet(7), store);
        assertTrue(killed.cancelled());
        assertEquals(1, store.saved.size(), "only epoch 1 was checkpointed");
        TrainingResult resumed = new Trainer(run, store, new TrainingListener() { }, () -> false)
                .train(smallNet(7), data, normalization);
        assertEquals(2, resumed.history().size());
        for (String parameter : uninterrupted.parameters().keySet()) {
            assertArrayEquals(values(uninterrupted, parameter), values(resumed.model(), parameter), 0f, parameter);
        }
    }

    /** The "kill": a run stopped half-way through epoch 2, after epoch 1's checkpoint. */
    private static TrainingResult killedHalfWayThroughEpoch2(TrainingRun run, Model start, InMemoryCheckpoints store)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        return new Trainer(run, store, new TrainingListener() {
            @Override
            public void iteration(int epoch, int epochs, int iteration, int iterations, double loss, double accuracy,
                    double imagesPerSecond) {
                if (epoch == 2 && iteration == iterations / 2) {
                    stop.set(true);
                }
            }
        }, stop::get).train(start, data, normalization);
    }

    private static float[] values(Model model, String parameter) {
        return model.parameters().get(parameter).data();
    }
}
