package io.penni.trainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.Normalization;

/**
 * Trains a model on a data split with a {@link TrainingRun}: SGD steps computed layer by layer where the eager step
 * covers the network, else by a SameDiff graph of it; batch norm's running statistics updated from each batch, a
 * checkpoint after every epoch, and a run that finds a checkpoint continues from it (ending where an uninterrupted
 * run would, since every step's randomness derives from the seed, epoch and step).
 */
public final class Trainer {

    private final TrainingRun run;
    private final CheckpointStore checkpoints;
    private final TrainingListener listener;
    private final BooleanSupplier cancelled;

    /**
     * Creates a trainer.
     *
     * @param run what to train and how
     * @param checkpoints where to keep checkpoints
     * @param listener progress
     * @param cancelled polled between steps: true stops the run after the current step, without a checkpoint
     */
    public Trainer(TrainingRun run, CheckpointStore checkpoints, TrainingListener listener, BooleanSupplier cancelled) {
        this.run = run;
        this.checkpoints = checkpoints;
        this.listener = listener;
        this.cancelled = cancelled;
    }

    /**
     * Trains.
     *
     * @param start the model to start from (a checkpoint made from this start and these settings is continued
     *        instead; one made from another start is set aside)
     * @param data training and test images
     * @param normalization the training set's normalisation
     * @return the trained model and what each epoch did
     * @throws IOException when a checkpoint cannot be read or written
     */
    public TrainingResult train(Model start, DataSplit data, Normalization normalization) throws IOException {
        Optional<Checkpoint> checkpoint = checkpoints.latest();
        Model model = start;
        int firstEpoch = 0;
        List<EpochReport> history = new ArrayList<>();
        SgdOptimizer optimizer = new SgdOptimizer(new SgdOptimizer.Settings(run.schedule().momentum(),
                run.schedule().nesterov(), run.schedule().weightDecay()));
        String startedFrom = fingerprint(start, run);
        if (checkpoint.isPresent() && !checkpoint.get().startedFrom().isEmpty()
                && !checkpoint.get().startedFrom().equals(startedFrom)) {
            listener.setAside(checkpoint.get().completedEpochs());
            checkpoint = Optional.empty();
        }
        if (checkpoint.isPresent()) {
            Checkpoint c = checkpoint.get();
            if (!c.phase().equals(run.phase())) {
                throw new IOException("the checkpoint found is of phase '" + c.phase() + "', this run is '"
                        + run.phase() + "'");
            }
            model = new Model(start.network(), c.parameters());
            firstEpoch = c.completedEpochs();
            history.addAll(c.history());
            Map<String, INDArray> velocity = new HashMap<>();
            c.velocity().forEach((k, v) -> velocity.put(k, toArray(v)));
            optimizer.restore(velocity);
            listener.resumed(firstEpoch);
        }
        int epochs = run.schedule().epochs();
        if (firstEpoch >= epochs) {
            return new TrainingResult(model, history, checkpoint.map(Checkpoint::completedEpochs), false);
        }

        // alpha 0 is the old loss exactly: the loss is the plain one, and no teacher runs
        Optional<Teacher> teacher = run.teacher().filter(t -> t.alpha() > 0);
        try (TrainingStep step = TrainingSteps.create(model, teacher.map(Teacher::loss))) {
            return train(step, model, firstEpoch, history, optimizer, checkpoint, teacher, data, normalization,
                    startedFrom);
        }
    }

    private TrainingResult train(TrainingStep step, Model model, int firstEpoch, List<EpochReport> history,
            SgdOptimizer optimizer, Optional<Checkpoint> checkpoint, Optional<Teacher> teacher, DataSplit data,
            Normalization normalization, String startedFrom) throws IOException {
        int epochs = run.schedule().epochs();
        TrainableParameters parameters = new TrainableParameters(step, model, run);
        LearningRateSchedule rates = LearningRateSchedule.of(run.schedule());
        NativeMemoryGuard memory = new NativeMemoryGuard(NativeMemoryGuard.DEFAULT_HEADROOM);
        int batchSize = run.schedule().batchSize();
        var train = data.train();
        int[] shape = {train.channels(), train.height(), train.width()};
        Optional<TeacherSignal> signal = teacher.map(t -> TeacherSignal.of(t, train, normalization, run.augmentation()));
        signal.ifPresent(s -> listener.distilling(s.runtime()));
        try {

            GradualPruning gradual = null;
            for (int epoch = firstEpoch; epoch < epochs; epoch++) {
                double rate = rates.rate(epoch);
                String training = run.trainingIn(epoch);
                Set<String> frozen = parameters.frozenWhileTraining(training);
                BatchIterator batches = Batches.training(train, normalization, run.augmentation(), batchSize,
                        run.seed(), epoch);
                int iterations = batches.batchCount();
                if (run.gradualEpochs() > 0 && gradual == null) {
                    gradual = new GradualPruning(parameters.masks(), run.gradualEpochs(), iterations);
                }
                long epochStart = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                for (int iteration = 0; iteration < iterations; iteration++) {
                    if (cancelled.getAsBoolean()) {
                        return new TrainingResult(step.toModel(parameters.runningStatistics()), history,
                                checkpoint.map(Checkpoint::completedEpochs), true);
                    }
                    long global = (long) epoch * iterations + iteration;
                    if (gradual != null && gradual.updatesAt(global)) {
                        gradual.update(global, parameters.arrays(), parameters.masks());
                    }
                    Batch batch = batches.batch(iteration);
                    Nd4j.getRandom().setSeed(stepSeed(run.seed(), epoch, iteration));
                    INDArray input = images(batch, shape);
                    int iterationNow = iteration;
                    Optional<INDArray> soft = signal.map(s -> s.probabilities(batches, iterationNow, input));
                    TrainingStep.Result result = step.run(input, oneHot(batch, step.classes()), soft,
                            dropoutMasks(step, batch.size(), stepSeed(run.seed(), epoch, iteration)));
                    optimizer.step(parameters.arrays(), result.gradients(), rate, frozen, parameters.l1(),
                            parameters.masks());
                    parameters.updateRunningStatistics(result, batch.size());
                    memory.afterStep();
                    Evaluator.Score score = new Evaluator.Score();
                    score.add(result.logits(), batch.labels(), batch.size(), step.classes());
                    double taskLoss = soft.isPresent()
                            ? signal.get().loss(score.loss(), result.logits(), soft.get()) : score.loss();
                    double stepLoss = taskLoss + parameters.l1Term();
                    if (!Double.isFinite(stepLoss)) {
                        throw new TrainingDivergedException(run.phase() + " diverged: the loss is " + stepLoss
                                + " at epoch " + (epoch + 1) + ", step " + (iteration + 1) + " (learning rate " + rate
                                + "); lower the learning rate");
                    }
                    int stepCorrect = (int) score.correct1();
                    lossSum += stepLoss * batch.size();
                    correct += stepCorrect;
                    seen += batch.size();
                    double elapsed = (System.nanoTime() - epochStart) / 1e9;
                    listener.iteration(epoch + 1, epochs, iteration + 1, iterations, stepLoss,
                            (double) stepCorrect / batch.size(), seen / elapsed);
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                Model current = step.toModel(parameters.runningStatistics());
                OptionalDouble testAccuracy = OptionalDouble.empty();
                OptionalDouble testLoss = OptionalDouble.empty();
                boolean last = epoch == epochs - 1;
                if (last || (run.evaluateEvery() > 0 && (epoch + 1) % run.evaluateEvery() == 0)) {
                    TestAccuracy evaluation = Evaluator.evaluate(current, data.test(), normalization, 256);
                    testAccuracy = OptionalDouble.of(evaluation.top1());
                    testLoss = OptionalDouble.of(evaluation.loss());
                }
                Sparsity sparsity = Sparsity.of(current);
                EpochReport report = new EpochReport(run.phase(), epoch + 1, epochs, rate, training, lossSum / seen,
                        (double) correct / seen, testAccuracy, testLoss, sparsity.zeroFraction(),
                        sparsity.belowStdFraction(), seen / seconds, seconds);
                history.add(report);
                checkpoints.save(new Checkpoint(run.phase(), epoch + 1, current.parameters(),
                        toTensors(optimizer.state()), history, startedFrom));
                listener.epoch(report);
            }
            return new TrainingResult(step.toModel(parameters.runningStatistics()), history,
                    checkpoint.map(Checkpoint::completedEpochs), false);
        } finally {
            signal.ifPresent(TeacherSignal::close);
        }
    }

    /**
     * What a run starts from, as a SHA-256 in hex: the start model's parameters (names, shapes, values), the masks,
     * and the settings that shape the trained values (phase, schedule, alternation, L1, augmentation, seed, gradual
     * pruning, the teacher's weight and temperature). How often it evaluates, and where the teacher's logits are
     * computed, are left out: they do not change what it trains.
     *
     * @param start the start model
     * @param run the run
     * @return the fingerprint
     */
    static String fingerprint(Model start, TrainingRun run) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
        String settings = String.join("|", run.phase(), String.valueOf(run.schedule()),
                String.valueOf(run.alternateEvery()), String.valueOf(run.l1()), String.valueOf(run.augmentation()),
                String.valueOf(run.seed()), String.valueOf(run.gradualEpochs()),
                run.teacher().map(t -> t.alpha() + "," + t.temperature()).orElse("no teacher"));
        digest.update(settings.getBytes(StandardCharsets.UTF_8));
        tensors(digest, "parameter ", start.parameters());
        tensors(digest, "mask ", run.masks());
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void tensors(MessageDigest digest, String kind, Map<String, Tensor> tensors) {
        for (String name : new TreeSet<>(tensors.keySet())) {
            Tensor t = tensors.get(name);
            digest.update((kind + name + Arrays.toString(t.shape())).getBytes(StandardCharsets.UTF_8));
            ByteBuffer bytes = ByteBuffer.allocate(t.data().length * Float.BYTES);
            bytes.asFloatBuffer().put(t.data());
            digest.update(bytes);
        }
    }

    /** A distinct seed per step, so dropout of a resumed run repeats the uninterrupted one. */
    static long stepSeed(long seed, int epoch, int iteration) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + iteration;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    /** Inverted-dropout keep-masks for the step, drawn from its seed so a resumed run draws the same. */
    static Map<String, INDArray> dropoutMasks(TrainingStep step, int batch, long seed) {
        Map<String, INDArray> feed = new HashMap<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (ModelGraph.DropoutMask d : step.dropoutMasks()) {
            long perImage = 1;
            for (long s : d.shape()) {
                perImage *= s;
            }
            float keep = (float) (1 / (1 - d.rate()));
            float[] values = new float[Math.toIntExact(perImage * batch)];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextDouble() < d.rate() ? 0f : keep;
            }
            long[] shape = new long[d.shape().length + 1];
            shape[0] = batch;
            System.arraycopy(d.shape(), 0, shape, 1, d.shape().length);
            feed.put(d.placeholder(), Nd4j.create(values, shape, 'c'));
        }
        return feed;
    }

    private static INDArray images(Batch batch, int[] shape) {
        return Nd4j.create(batch.images(), new long[] {batch.size(), shape[0], shape[1], shape[2]}, 'c');
    }

    private static INDArray oneHot(Batch batch, int classes) {
        float[] values = new float[batch.size() * classes];
        for (int b = 0; b < batch.size(); b++) {
            values[b * classes + batch.labels()[b]] = 1f;
        }
        return Nd4j.create(values, new long[] {batch.size(), classes}, 'c');
    }

    static INDArray toArray(Tensor tensor) {
        long[] shape = new long[tensor.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = tensor.shape()[i];
        }
        return Nd4j.create(tensor.data().clone(), shape, 'c');
    }

    static Tensor toTensor(INDArray array) {
        long[] s = array.shape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return new Tensor(shape, array.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    private static Map<String, Tensor> toTensors(Map<String, INDArray> arrays) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        arrays.forEach((k, v) -> tensors.put(k, toTensor(v)));
        return tensors;
    }
}
