package io.penni.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;

/**
 * Runs a job's stages in order in this process, without Kafka: pretrain → decompose → retrain → prune →
 * finetune → shrink → evaluate. Each stage sees every artifact produced before it ({@code model} always being the
 * latest model). Each stage runs through the {@link StageRunner} the Kafka workflow uses too, so a stage whose
 * outcome is recorded is not run again.
 */
public final class CompressionPipeline {

    /** Receives the pipeline's progress; every method has a do-nothing default. */
    public interface Listener {
        /**
         * @param stage the stage about to run
         * @param skipped whether it completed before and is not run again
         */
        default void stageStarted(String stage, boolean skipped) {
        }

        /**
         * The stage completed before from another request, other artifacts or another model file, and runs again.
         *
         * @param stage the stage
         * @param why what changed, in words
         */
        default void recordSetAside(String stage, String why) {
        }

        /**
         * @param stage the running stage
         * @param progress its report
         */
        default void progress(String stage, StageProgress progress) {
        }

        /**
         * @param stage the stage
         * @param outcome how it ended
         * @param seconds its wall time
         */
        default void stageEnded(String stage, StageOutcome outcome, double seconds) {
        }
    }

    private final Map<String, CompressionStage> stages;
    private final StageRunner runner;
    private final List<String> order;

    /**
     * @param stages the stage implementations by name
     * @param store where artifacts go
     */
    public CompressionPipeline(Map<String, CompressionStage> stages, ArtifactStore store) {
        this(stages, store, StageNames.ALL);
    }

    /**
     * @param stages the stage implementations by name
     * @param store where artifacts go
     * @param order the stages to run, in order
     */
    public CompressionPipeline(Map<String, CompressionStage> stages, ArtifactStore store, List<String> order) {
        this(stages, new StageRunner(store), order);
    }

    /**
     * @param stages the stage implementations by name
     * @param runner runs each stage (and knows where requests' model files are)
     * @param order the stages to run, in order
     */
    public CompressionPipeline(Map<String, CompressionStage> stages, StageRunner runner, List<String> order) {
        this.stages = Map.copyOf(stages);
        this.runner = runner;
        this.order = List.copyOf(order);
    }

    /**
     * Runs the job.
     *
     * @param request the job
     * @param listener progress
     * @param cancelled polled by stages at safe points
     * @return what each stage produced, and the failure if one stopped the job
     */
    public PipelineResult run(CompressionRequest request, Listener listener, BooleanSupplier cancelled) {
        Map<String, ArtifactRef> artifacts = new LinkedHashMap<>();
        Map<String, StageOutcome.Completed> completed = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String name : order) {
            CompressionStage stage = stages.get(name);
            if (stage == null) {
                return new PipelineResult(completed, artifacts, seconds,
                        Optional.of(new PipelineResult.Failure(name, "no '" + name + "' stage is installed", false)));
            }
            StageRunner.Run run = runner.run(request, name, stage, artifacts, new StageRunner.Observer() {
                @Override
                public void recordSetAside(String why) {
                    listener.recordSetAside(name, why);
                }

                @Override
                public void started(boolean reused) {
                    listener.stageStarted(name, reused);
                }

                @Override
                public void progress(StageProgress progress) {
                    listener.progress(name, progress);
                }
            }, cancelled);
            StageOutcome outcome = run.outcome();
            double elapsed = run.seconds();
            listener.stageEnded(name, outcome, elapsed);
            if (outcome instanceof StageOutcome.Failed failed) {
                return new PipelineResult(completed, artifacts, seconds,
                        Optional.of(new PipelineResult.Failure(name, failed.reason(), failed.retryable())));
            }
            StageOutcome.Completed c = (StageOutcome.Completed) outcome;
            completed.put(name, c);
            seconds.put(name, elapsed);
            artifacts = StageRunner.withOutputs(artifacts, name, c.outputs());
        }
        return new PipelineResult(completed, artifacts, seconds, Optional.empty());
    }
}
