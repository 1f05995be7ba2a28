package io.penni.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;

/**
 * Runs one stage of one job: the only place that does, for the Kafka workflow and for the one-process pipeline
 * alike. It is also the job core's only idempotency layer: a (job, stage) whose outcome is recorded
 * ({@link StageRecords}) is not run again, its recorded outcome is handed back, as long as it was made from the same
 * request settings, artifacts and model file ({@link StageFingerprint}) — a record made from others is set aside, the
 * observer told why, and the stage runs again; otherwise the stage runs in its
 * working folder (where its checkpoints survive a crash), its wall time joins its summary and its outcome is
 * recorded before anything downstream can see it. A stage that throws instead of returning fails, with what it
 * threw as the reason; nothing escapes this method but a {@link VirtualMachineError}.
 */
public final class StageRunner {

    /**
     * How one stage run ended.
     *
     * @param stage the stage
     * @param outcome what it produced, or why it failed
     * @param reused whether the outcome was recorded by an earlier run and the stage did not run now
     * @param seconds wall time of this run (of the lookup alone when reused)
     */
    public record Run(String stage, StageOutcome outcome, boolean reused, double seconds) {
        /** Checks the fields. */
        public Run {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(outcome, "outcome");
        }

        /** @return the failure, when the stage failed */
        public Optional<StageOutcome.Failed> failure() {
            return outcome instanceof StageOutcome.Failed f ? Optional.of(f) : Optional.empty();
        }

        /** @return the completed outcome, when the stage completed */
        public Optional<StageOutcome.Completed> completed() {
            return outcome instanceof StageOutcome.Completed c ? Optional.of(c) : Optional.empty();
        }
    }

    /** What a runner's caller hears of a run while it goes on. */
    public interface Observer {
        /**
         * The run begins.
         *
         * @param reused whether the stage completed before and its recorded outcome is used instead of running it
         */
        void started(boolean reused);

        /**
         * @param progress a progress report of the running stage
         */
        void progress(StageProgress progress);

        /**
         * The stage completed before, but from another request, other artifacts or another model file: its record is
         * not used and the stage runs again. Heard before {@link #started(boolean)}.
         *
         * @param why what changed, in words
         */
        default void recordSetAside(String why) {
        }
    }

    /**
     * JSON field under which a completed stage's wall time ({@link StageOutcome.Completed#seconds()}) is stored in
     * its record and shown in the report's {@code stages.<stage>}, in seconds.
     */
    public static final String SECONDS = "seconds";

    private final ArtifactStore store;
    private final Supplier<Optional<Path>> modelRoot;

    /**
     * A runner that does not read stored model files: a changed model file under the same path is not noticed.
     *
     * @param store where stages write their outputs and the runner its records
     */
    public StageRunner(ArtifactStore store) {
        this(store, Optional::empty);
    }

    /**
     * @param store where stages write their outputs and the runner its records
     * @param modelRoot the folder requests' model paths resolve against, as configured now
     */
    public StageRunner(ArtifactStore store, Supplier<Optional<Path>> modelRoot) {
        this.store = Objects.requireNonNull(store, "store");
        this.modelRoot = Objects.requireNonNull(modelRoot, "modelRoot");
    }

    /** @return where stages write their outputs and the runner its records */
    public ArtifactStore store() {
        return store;
    }

    /**
     * @param jobId the job
     * @param stage the stage
     * @return the stage's recorded outcome, when an earlier run completed it
     */
    public Optional<StageOutcome.Completed> recorded(String jobId, String stage) {
        return StageRecords.find(store, jobId, stage);
    }

    /**
     * Runs a stage for a job, or hands back its recorded outcome.
     *
     * @param request the job's request
     * @param stage the stage's name
     * @param implementation the stage
     * @param inputs the artifacts earlier stages produced
     * @param observer hears that the run begins, and the stage's progress
     * @param cancelled polled by the stage at safe points
     * @return how it ended
     */
    public Run run(CompressionRequest request, String stage, CompressionStage implementation,
            Map<String, ArtifactRef> inputs, Observer observer, BooleanSupplier cancelled) {
        long started = System.nanoTime();
        StageFingerprint fingerprint;
        try {
            fingerprint = StageFingerprint.of(request, stage, inputs, modelRoot.get());
        } catch (RuntimeException e) {
            return new Run(stage, new StageOutcome.Failed(stage + ": cannot fingerprint its request and inputs: " + e,
                    false), false, seconds(started));
        }
        Optional<StageRecords.Stored> recorded = StageRecords.read(store, request.jobId(), stage);
        List<String> changed = recorded.flatMap(StageRecords.Stored::fingerprint).map(fingerprint::differences)
                .orElse(List.of());
        if (!changed.isEmpty()) {
            observer.recordSetAside("it completed before, but with different " + String.join(" and ", changed)
                    + "; running it again");
        }
        boolean reuse = recorded.isPresent() && changed.isEmpty();
        observer.started(reuse);
        if (reuse) {
            return new Run(stage, recorded.get().outcome(), true, seconds(started));
        }
        StageOutcome outcome;
        try {
            StageContext context = new BasicStageContext(request, inputs, store, store.workDir(request.jobId(), stage),
                    observer::progress, cancelled);
            outcome = implementation.run(context);
            if (outcome == null) {
                outcome = new StageOutcome.Failed(stage + " returned no outcome", false);
            }
            if (outcome instanceof StageOutcome.Completed c) {
                StageOutcome.Completed timed = c.withSeconds(seconds(started));
                StageRecords.save(store, request.jobId(), stage, timed, fingerprint);
                outcome = timed;
            }
        } catch (IOException e) {
            outcome = new StageOutcome.Failed(stage + ": cannot read or write its artifacts: " + e.getMessage(), false);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // NOPMD - a stage's bug fails its job, it does not take the runner down
            outcome = new StageOutcome.Failed(stage + " crashed: " + e, false);
        }
        return new Run(stage, outcome, false, seconds(started));
    }

    /**
     * The artifacts a job has once a stage's outputs join them: each output under its own name (so {@code model} is
     * always the latest model) and as {@code <stage>.<name>}.
     *
     * @param artifacts the job's artifacts before the stage
     * @param stage the stage
     * @param outputs what it produced
     * @return the artifacts after it, in order
     */
    public static Map<String, ArtifactRef> withOutputs(Map<String, ArtifactRef> artifacts, String stage,
            Map<String, ArtifactRef> outputs) {
        Map<String, ArtifactRef> all = new LinkedHashMap<>(artifacts);
        outputs.forEach((name, ref) -> {
            all.put(name, ref);
            all.put(stage + "." + name, ref);
        });
        return all;
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
