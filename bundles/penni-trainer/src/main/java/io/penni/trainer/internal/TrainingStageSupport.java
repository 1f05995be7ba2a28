package io.penni.trainer.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.osgi.framework.BundleContext;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.job.Distillation;
import io.penni.api.model.Model;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.api.stage.TrainingSummary;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetException;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelCount;
import io.penni.model.ModelCounter;
import io.penni.trainer.EpochReport;
import io.penni.trainer.TestAccuracy;
import io.penni.trainer.Evaluator;
import io.penni.trainer.StoredCheckpoints;
import io.penni.trainer.Teacher;
import io.penni.trainer.Trainer;
import io.penni.trainer.TrainingEnvironment;
import io.penni.trainer.TrainingListener;
import io.penni.trainer.TrainingResult;
import io.penni.trainer.TrainingRun;

/** What the three training stages share: data, progress, checkpoints, outputs and summaries. */
final class TrainingStageSupport {

    private TrainingStageSupport() {
    }

    static TrainingEnvironment environment(BundleContext context) {
        String data = Optional.ofNullable(context.getProperty(TrainingEnvironment.DATA_ROOT)).orElse("/usr/share/datasets");
        String models = Optional.ofNullable(context.getProperty(TrainingEnvironment.MODEL_ROOT)).orElse("models");
        return new TrainingEnvironment(Path.of(data), Path.of(models), 1);
    }

    /** The job's data set; the normalisation comes from its (possibly limited) training split, so every stage agrees. */
    record Data(DataSplit split, Normalization normalization) {
    }

    static Data data(StageContext context, TrainingEnvironment environment) {
        DataSplit split = DatasetLoader.load(context.request().dataset(), environment.dataRoot());
        return new Data(split, Normalization.of(split.train()));
    }

    /**
     * Trains with checkpoints in the job's artifact store (so another container can resume the run), reporting
     * progress to the context; a schedule of zero epochs skips the phase and returns the start model as it is.
     */
    static TrainingResult train(StageContext context, TrainingRun run, Model start, Data data) throws IOException {
        if (run.schedule().epochs() == 0) {
            return new TrainingResult(start, List.of(), Optional.empty(), false);
        }
        StoredCheckpoints checkpoints = new StoredCheckpoints(context.artifacts(), context.request().jobId(),
                run.phase(), context.workDir().resolve("checkpoints"));
        TrainingListener listener = new TrainingListener() {
            @Override
            public void iteration(int epoch, int epochs, int iteration, int iterations, double loss, double accuracy,
                    double imagesPerSecond) {
                context.progress(new StageProgress(epoch, epochs, iteration, iterations, OptionalDouble.of(loss),
                        OptionalDouble.of(accuracy), OptionalDouble.empty(), OptionalDouble.of(imagesPerSecond), ""));
            }

            @Override
            public void epoch(EpochReport r) {
                context.progress(new StageProgress(r.epoch(), r.epochs(), 0, 0, OptionalDouble.of(r.loss()),
                        r.testAccuracy().isPresent() ? r.testAccuracy() : OptionalDouble.of(r.accuracy()),
                        OptionalDouble.of(r.zeroCoefficients() > 0 ? r.zeroCoefficients() : r.stdRuleSparsity()),
                        OptionalDouble.of(r.imagesPerSecond()), "epoch " + r.epoch() + " of " + r.epochs() + " done ("
                                + r.training() + ")"));
            }

            @Override
            public void resumed(int completedEpochs) {
                context.progress(StageProgress.note("resumed from the checkpoint after epoch " + completedEpochs));
            }

            @Override
            public void setAside(int completedEpochs) {
                context.progress(StageProgress.note("a checkpoint after epoch " + completedEpochs + " was made from "
                        + "another start model or other settings: not continued, training from the first epoch"));
            }

            @Override
            public void distilling(String runtime) {
                context.progress(StageProgress.note("distilling from the dense model, its logits computed on "
                        + (runtime.equals("graph") ? "the training graph" : "the " + runtime + " backend")));
            }
        };
        return new Trainer(run, checkpoints, listener, context::cancelled).train(start, data.split(), data.normalization());
    }

    /** Input naming the job's dense model (the pretrain stage's output), the teacher of distillation. */
    static final String BASELINE = "baseline";
    /** Its weights. */
    static final String BASELINE_WEIGHTS = "baseline.weights";

    /**
     * The inference backend that runs a teacher: the CPU engine's name (its bundle need not be installed; without
     * it the teacher runs on the training graph).
     */
    static final String TEACHER_RUNTIME = "(" + InferenceBackend.NAME + "=cpu)";

    /**
     * The run, distilling from the job's dense model when the request asks for distillation.
     *
     * @param run the run without a teacher
     * @param context the stage's context (its request and inputs)
     * @param runtime the backend that runs the teacher, or {@code null} for the training graph
     * @return the run with its teacher, or the run itself
     * @throws IOException when distillation is asked for and the dense model cannot be read
     */
    static TrainingRun withTeacher(TrainingRun run, StageContext context, InferenceBackend runtime)
            throws IOException {
        Distillation d = context.request().penni().distillation();
        if (!d.enabled() || run.schedule().epochs() == 0) {
            return run;
        }
        Model teacher = inputModel(context, BASELINE, BASELINE_WEIGHTS, "distillation needs the job's dense model");
        // every step: measured faster here than logits cached per image (vgg-small, 2 epochs: +10 s against +16 s
        // over no teacher; NOTES-distill.md), and right for augmented images as well
        return run.distillingFrom(new Teacher(teacher, d.alpha(), d.temperature(), Teacher.Logits.ON_THE_FLY,
                runtime));
    }

    /**
     * A model among the stage's inputs other than its {@code model}: its graph and the weights beside it, opened
     * through the store.
     *
     * @param context the stage's job
     * @param graph the graph's input name
     * @param weights the weights' input name
     * @param need what needs it, for the message when it is missing
     * @return the model
     * @throws IOException if no earlier stage produced it, or it cannot be read
     */
    static Model inputModel(StageContext context, String graph, String weights, String need) throws IOException {
        ArtifactRef graphRef = context.inputs().get(graph);
        if (graphRef == null) {
            throw new IOException(need + " ('" + graph + "'), which no earlier stage produced");
        }
        Map<String, ArtifactRef> inputs = new LinkedHashMap<>();
        inputs.put(ModelArtifacts.MODEL, graphRef);
        Optional.ofNullable(context.inputs().get(weights)).ifPresent(w -> inputs.put(ModelArtifacts.WEIGHTS, w));
        return ModelArtifacts.load(context.artifacts(), inputs);
    }

    /**
     * The figures only some training phases report.
     *
     * @param source where the model came from (pretrain)
     * @param stdRuleSparsity share below the standard-deviation rule's threshold (retrain)
     * @param zeroCoefficients share of zero coefficients (retrain, finetune)
     * @param l1 the L1 penalty (retrain)
     * @param switchEvery the switching period (retrain)
     * @param maskedTensors tensors held by masks (finetune)
     */
    record PhaseFigures(Optional<String> source, OptionalDouble stdRuleSparsity, OptionalDouble zeroCoefficients,
            OptionalDouble l1, OptionalInt switchEvery, OptionalInt maskedTensors) {

        static PhaseFigures pretrain(String source) {
            return new PhaseFigures(Optional.of(source), OptionalDouble.empty(), OptionalDouble.empty(),
                    OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
        }

        static PhaseFigures retrain(double stdRuleSparsity, double zeroCoefficients, double l1, int switchEvery) {
            return new PhaseFigures(Optional.empty(), OptionalDouble.of(stdRuleSparsity),
                    OptionalDouble.of(zeroCoefficients), OptionalDouble.of(l1), OptionalInt.of(switchEvery),
                    OptionalInt.empty());
        }

        static PhaseFigures finetune(double zeroCoefficients, int maskedTensors) {
            return new PhaseFigures(Optional.empty(), OptionalDouble.empty(), OptionalDouble.of(zeroCoefficients),
                    OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.of(maskedTensors));
        }
    }

    /** The stage's outputs and a summary of what training did. */
    static StageOutcome.Completed completed(StageContext context, String stage, TrainingResult result,
            TestAccuracy evaluation, PhaseFigures phase) throws IOException {
        java.nio.file.Files.createDirectories(context.workDir());
        Map<String, ArtifactRef> outputs = ModelArtifacts.save(context.artifacts(), context.request().jobId(), stage,
                result.model(), context.workDir());
        ModelCount count = ModelCounter.count(result.model());
        TrainingSummary summary = new TrainingSummary(evaluation.top1(), evaluation.top5(), evaluation.loss(),
                result.history().size(),
                result.resumedFrom().map(OptionalInt::of).orElse(OptionalInt.empty()),
                result.history().stream().mapToDouble(EpochReport::imagesPerSecond).average(),
                result.history().stream().mapToDouble(EpochReport::seconds).sum(), count.params(), count.macs(),
                history(result.history()), peakResidentBytes(), phase.source(), phase.stdRuleSparsity(),
                phase.zeroCoefficients(), phase.l1(), phase.switchEvery(), phase.maskedTensors());
        return new StageOutcome.Completed(outputs, summary);
    }

    /** The process's peak resident memory so far (Linux VmHWM), which bounds what training used. */
    static java.util.OptionalLong peakResidentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return java.util.OptionalLong.of(Long.parseLong(line.replaceAll("\\D+", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the figure is left out
        }
        return java.util.OptionalLong.empty();
    }

    static List<TrainingSummary.Epoch> history(List<EpochReport> history) {
        return history.stream().map(r -> new TrainingSummary.Epoch(r.epoch(), r.training(), r.learningRate(), r.loss(),
                r.accuracy(), r.testAccuracy(), r.testLoss(), r.zeroCoefficients(), r.stdRuleSparsity(),
                r.imagesPerSecond(), r.seconds())).toList();
    }

    /** Turns what went wrong into an outcome: bad data is the request's fault, the rest may pass on a retry. */
    static StageOutcome failed(Exception e, StageContext context) {
        if (e instanceof DatasetException) {
            return new StageOutcome.Failed("data set: " + e.getMessage(), false);
        }
        if (e instanceof IllegalArgumentException || e instanceof io.penni.model.ModelException
                || e instanceof io.penni.trainer.TrainingDivergedException) {
            return new StageOutcome.Failed(e.getMessage(), false);
        }
        return new StageOutcome.Failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), true);
    }

    static StageOutcome cancelled(TrainingResult result) {
        String at = result.history().isEmpty() ? "before its first epoch"
                : "after epoch " + result.history().get(result.history().size() - 1).epoch();
        return new StageOutcome.Failed("stopped " + at + " because the server is shutting down; it resumes from "
                + "its last checkpoint", true);
    }

    static TestAccuracy evaluate(Model model, Data data) {
        return Evaluator.evaluate(model, data.split().test(), data.normalization(), 256);
    }
}
