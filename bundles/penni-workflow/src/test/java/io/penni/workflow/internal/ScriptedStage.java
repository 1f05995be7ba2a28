package io.penni.workflow.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;

/**
 * A stage whose runs follow a script: the n-th run (from 1) returns what the script says for n, after waiting for
 * {@link #release()} when the stage is held; a held run that is cancelled meanwhile fails as a passing error, as the
 * real training stages do. A completed run writes one small output, {@code model}, named after the job.
 */
final class ScriptedStage implements CompressionStage {

    /** The outcome a run returns when the script says it completes. */
    static final StageOutcome COMPLETE = new StageOutcome.Completed(Map.of(), OtherSummary.EMPTY);

    private final String name;
    private final IntFunction<StageOutcome> script;
    private final AtomicInteger runs = new AtomicInteger();
    private final CountDownLatch released;

    private ScriptedStage(String name, IntFunction<StageOutcome> script, boolean held) {
        this.name = name;
        this.script = script;
        this.released = new CountDownLatch(held ? 1 : 0);
    }

    /** A stage whose every run completes. */
    static ScriptedStage completing(String name) {
        return new ScriptedStage(name, n -> COMPLETE, false);
    }

    /** A stage whose runs return what the script says for the run's number (from 1). */
    static ScriptedStage scripted(String name, IntFunction<StageOutcome> script) {
        return new ScriptedStage(name, script, false);
    }

    /** A stage whose runs wait for {@link #release()}, then complete. */
    static ScriptedStage held(String name) {
        return new ScriptedStage(name, n -> COMPLETE, true);
    }

    @Override
    public StageOutcome run(StageContext context) {
        int run = runs.incrementAndGet();
        try {
            while (!released.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (context.cancelled()) {
                    return new StageOutcome.Failed(name + " stopped: its job moved away", true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StageOutcome.Failed(name + " interrupted", true);
        }
        StageOutcome outcome = script.apply(run);
        if (outcome != COMPLETE) {
            return outcome;
        }
        try {
            String jobId = context.request().jobId();
            ArtifactRef model = context.artifacts().write(jobId, name + "/model.json",
                    ("{\"job\":\"" + jobId + "\"}").getBytes(StandardCharsets.UTF_8));
            return new StageOutcome.Completed(Map.of("model", model), new OtherSummary(Map.of("run", run)));
        } catch (IOException e) {
            return new StageOutcome.Failed(name + ": " + e.getMessage(), true);
        }
    }

    /** Lets held runs go on. */
    void release() {
        released.countDown();
    }

    /** @return how many times the stage ran */
    int runs() {
        return runs.get();
    }
}
