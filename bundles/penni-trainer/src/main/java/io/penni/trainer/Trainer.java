package io.penni.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.Normalization;

/**
 * Trains a model on a data split with a {@link TrainingRun}: SGD steps on a SameDiff graph of the model, batch
 * norm's running statistics updated from each batch, a checkpoint after every epoch, and a run that finds a
 * checkpoint continues from it (ending where an uninterrupted run would, since every step's randomness derives
 * from the seed, epoch and step).
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
     * @param start the model to start from (ignored when a checkpoint exists)
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

        ModelGraph graph = ModelGraph.build(model, ModelGraph.Mode.TRAIN, DataType.FLOAT);
        Parameters parameters = new Parameters(graph, model, run);
        StepCapture capture = new StepCapture(graph);
        graph.sameDiff().setListeners(capture);
        LearningRateSchedule rates = LearningRateSchedule.of(run.schedule());
        NativeMemoryGuard memory = new NativeMemoryGuard(NativeMemoryGuard.DEFAULT_HEADROOM);
        int batchSize = run.schedule().batchSize();
        var train = data.train();
        int[] shape = {train.channels(), train.height(), train.width()};

        for (int epoch = firstEpoch; epoch < epochs; epoch++) {
            double rate = rates.rate(epoch);
            String training = run.trainingIn(epoch);
            Set<String> frozen = parameters.frozenWhileTraining(training);
            BatchIterator batches = Batches.training(train, normalization, run.augmentation(), batchSize, run.seed(),
                    epoch);
            int iterations = batches.batchCount();
            long epochStart = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            for (int iteration = 0; iteration < iterations; iteration++) {
                if (cancelled.getAsBoolean()) {
                    return new TrainingResult(graph.toModel(parameters.runningStatistics()), history,
                            checkpoint.map(Checkpoint::completedEpochs), true);
                }
                Batch batch = batches.batch(iteration);
                Nd4j.getRandom().setSeed(stepSeed(run.seed(), epoch, iteration));
                Map<String, INDArray> feed = new HashMap<>();
                feed.put(ModelGraph.INPUT, images(batch, shape));
                feed.put(ModelGraph.LABELS, oneHot(batch, graph.classes()));
                dropoutMasks(graph, batch.size(), stepSeed(run.seed(), epoch, iteration), feed);
                Map<String, INDArray> gradients = graph.sameDiff().calculateGradients(feed, parameters.variables());
                optimizer.step(parameters.arrays(), parameters.byParameter(gradients), rate, frozen, parameters.l1(),
                        parameters.masks());
                parameters.updateRunningStatistics(capture, batch.size());
                memory.afterStep();
                Evaluator.Score score = capture.score(batch, graph.classes());
                double stepLoss = score.loss() + parameters.l1Term();
                if (!Double.isFinite(stepLoss)) {
                    throw new TrainingDivergedException(run.phase() + " diverged: the loss is " + stepLoss + " at epoch "
                            + (epoch + 1) + ", step " + (iteration + 1) + " (learning rate " + rate
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
            Model current = graph.toModel(parameters.runningStatistics());
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
                    toTensors(optimizer.state()), history));
            listener.epoch(report);
        }
        return new TrainingResult(graph.toModel(parameters.runningStatistics()), history,
                checkpoint.map(Checkpoint::completedEpochs), false);
    }

    /** A distinct seed per step, so dropout of a resumed run repeats the uninterrupted one. */
    static long stepSeed(long seed, int epoch, int iteration) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + iteration;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    /** Inverted-dropout keep-masks for the step, drawn from its seed so a resumed run draws the same. */
    private static void dropoutMasks(ModelGraph graph, int batch, long seed, Map<String, INDArray> feed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (ModelGraph.DropoutMask d : graph.dropoutMasks()) {
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

    /** The graph's trainable parameters with what the run says about each. */
    private static final class Parameters {
        private final ModelGraph graph;
        private final Map<String, INDArray> arrays = new LinkedHashMap<>();
        private final Map<String, String> parameterOfVariable = new HashMap<>();
        private final Set<String> coefficients = new HashSet<>();
        private final Set<String> bases = new HashSet<>();
        private final Map<String, Double> l1 = new HashMap<>();
        private final Map<String, INDArray> masks = new HashMap<>();
        private final Map<String, INDArray> runningMean = new LinkedHashMap<>();
        private final Map<String, INDArray> runningVar = new LinkedHashMap<>();
        private final double l1Strength;

        Parameters(ModelGraph graph, Model model, TrainingRun run) {
            this.graph = graph;
            this.l1Strength = run.l1();
            for (String p : graph.parameters()) {
                arrays.put(p, graph.parameter(p));
                parameterOfVariable.put(graph.variable(p), p);
                if (p.endsWith("." + ParameterNames.COEFFICIENTS)) {
                    coefficients.add(p);
                    if (run.l1() > 0) {
                        l1.put(p, run.l1());
                    }
                } else if (p.endsWith("." + ParameterNames.BASIS)) {
                    bases.add(p);
                }
            }
            run.masks().forEach((name, mask) -> {
                INDArray p = arrays.get(name);
                if (p == null) {
                    throw new IllegalArgumentException("mask for " + name + ", which is not a trainable parameter");
                }
                INDArray m = toArray(mask).castTo(p.dataType());
                if (!java.util.Arrays.equals(m.shape(), p.shape())) {
                    throw new IllegalArgumentException("mask for " + name + " has shape "
                            + java.util.Arrays.toString(m.shape()) + ", the parameter " + java.util.Arrays.toString(p.shape()));
                }
                p.muli(m);
                masks.put(name, m);
            });
            for (ModelGraph.BatchNormStatistics s : graph.batchNormStatistics()) {
                String layer = s.layer().name();
                runningMean.put(layer, toArray(model.parameters().get(ParameterNames.of(layer, ParameterNames.RUNNING_MEAN))));
                runningVar.put(layer, toArray(model.parameters().get(ParameterNames.of(layer, ParameterNames.RUNNING_VAR))));
            }
        }

        String[] variables() {
            return arrays.keySet().stream().map(graph::variable).toArray(String[]::new);
        }

        Map<String, INDArray> arrays() {
            return arrays;
        }

        Map<String, INDArray> byParameter(Map<String, INDArray> gradients) {
            Map<String, INDArray> out = new HashMap<>();
            gradients.forEach((variable, g) -> {
                String p = parameterOfVariable.get(variable);
                if (p != null) {
                    out.put(p, g);
                }
            });
            return out;
        }

        Set<String> frozenWhileTraining(String training) {
            return switch (training) {
                case "coefficients" -> bases;
                case "bases" -> coefficients;
                default -> Set.of();
            };
        }

        Map<String, Double> l1() {
            return l1;
        }

        Map<String, INDArray> masks() {
            return masks;
        }

        double l1Term() {
            if (l1Strength == 0) {
                return 0;
            }
            double sum = 0;
            for (String c : coefficients) {
                sum += arrays.get(c).norm1Number().doubleValue();
            }
            return l1Strength * sum;
        }

        void updateRunningStatistics(StepCapture capture, int batch) {
            for (ModelGraph.BatchNormStatistics s : graph.batchNormStatistics()) {
                Layer.BatchNorm bn = s.layer();
                INDArray mean = capture.array(s.mean());
                INDArray var = capture.array(s.variance());
                double n = (double) batch * s.valuesPerImage();
                double unbias = n > 1 ? n / (n - 1) : 1;
                double m = bn.momentum();
                runningMean.get(bn.name()).muli(1 - m).addi(mean.castTo(DataType.FLOAT).mul(m));
                runningVar.get(bn.name()).muli(1 - m).addi(var.castTo(DataType.FLOAT).mul(m * unbias));
            }
        }

        Map<String, Tensor> runningStatistics() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            runningMean.forEach((layer, a) -> out.put(ParameterNames.of(layer, ParameterNames.RUNNING_MEAN), toTensor(a)));
            runningVar.forEach((layer, a) -> out.put(ParameterNames.of(layer, ParameterNames.RUNNING_VAR), toTensor(a)));
            return out;
        }
    }

    /** Keeps copies of the arrays a step computes on the way that the trainer needs afterwards. */
    private static final class StepCapture extends BaseListener {
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

        /** Cross-entropy and accuracy of the step's logits. */
        Evaluator.Score score(Batch batch, int classes) {
            Evaluator.Score score = new Evaluator.Score();
            score.add(array(ModelGraph.LOGITS).castTo(DataType.FLOAT).data().asFloat(), batch.labels(), batch.size(),
                    classes);
            return score;
        }
    }
}
