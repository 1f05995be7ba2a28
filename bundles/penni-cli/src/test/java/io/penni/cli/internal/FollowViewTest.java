package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;

class FollowViewTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final FollowView view = new FollowView("j1");

    private static JobEvent event(EventType type, String stage, long second, Map<String, Object> data) {
        return new JobEvent("e", URI.create("urn:test"), type, "j1", stage.isEmpty() ? Optional.empty()
                : Optional.of(stage), T0.plusSeconds(second), data);
    }

    private static JobEvent iteration(long second, int epoch, int iteration) {
        return event(EventType.STAGE_PROGRESS, "retrain", second, Map.of("epoch", epoch, "epochs", 3, "iteration",
                iteration, "iterations", 100, "loss", 1.25, "imagesPerSecond", 99.6));
    }

    private String live(JobEvent e) {
        List<FollowView.Output> out = view.render(e);
        assertEquals(1, out.size(), out.toString());
        return ((FollowView.Live) out.get(0)).text();
    }

    private List<String> lines(JobEvent e) {
        return view.render(e).stream().filter(FollowView.Line.class::isInstance)
                .map(o -> ((FollowView.Line) o).text()).toList();
    }

    @Test
    void aProgressEventIsTheStagesLiveLineWithEpochIterationBarAndFigures() {
        assertEquals("[retrain] epoch 2/3 iter 50/100 [########--------] loss 1.250 100 img/s",
                live(iteration(0, 2, 50)));
    }

    @Test
    void aDivergedLossWhichJsonCarriesAsAStringShowsAsNaN() {
        assertEquals("[finetune] epoch 1/1 iter 11/79 [##--------------] loss NaN", live(event(EventType.STAGE_PROGRESS,
                "finetune", 0, Map.of("epoch", 1, "epochs", 1, "iteration", 11, "iterations", 79, "loss", "NaN"))));
    }

    @Test
    void theEtaIsWhatIsLeftOfTheStageAtItsPaceSinceItsFirstProgressEvent() {
        live(iteration(0, 1, 10));
        // 40 iterations in 20 s: 2 per second; 300 - 50 = 250 left: 125 s
        assertTrue(live(iteration(20, 1, 50)).endsWith(" ETA 2m05s"));
    }

    @Test
    void theEtaStartsAgainWhenTheStageStartsAgain() {
        live(iteration(0, 1, 10));
        view.render(event(EventType.STAGE_STARTED, "retrain", 5, Map.of("attempt", 2)));
        assertTrue(!live(iteration(20, 1, 50)).contains("ETA"), "one point after a restart gives no pace yet");
    }

    @Test
    void anEpochsEndIsALineThatStaysWithItsFigures() {
        assertEquals(List.of("[retrain] epoch 1 of 3 done (retrain): loss 0.8000, accuracy 91.2%, sparsity 42.0%, "
                + "150 img/s"), lines(event(EventType.STAGE_PROGRESS, "retrain", 0, Map.of("epoch", 1, "epochs", 3,
                "iteration", 0, "iterations", 0, "loss", 0.8, "accuracy", 0.912, "sparsity", 0.42, "imagesPerSecond",
                150.0, "message", "epoch 1 of 3 done (retrain)"))));
    }

    @Test
    void aNoteWithoutFiguresIsALineOfItsOwn() {
        assertEquals(List.of("[decompose] decomposed 7 layers with d = 5"), lines(event(EventType.STAGE_PROGRESS,
                "decompose", 0, Map.of("epoch", 0, "epochs", 0, "iteration", 0, "iterations", 0, "message",
                        "decomposed 7 layers with d = 5"))));
    }

    @Test
    void aRepeatedAttemptAndItsNoteAreShownWhenAStageStarts() {
        assertEquals(List.of("[prune] started (attempt 2): already completed before; its recorded outcome is used"),
                lines(event(EventType.STAGE_STARTED, "prune", 0, Map.of("attempt", 2, "note",
                        "already completed before; its recorded outcome is used"))));
    }

    @Test
    void aQueuedStageSaysWhy() {
        assertEquals(List.of("[retrain] queued: waiting for a training slot"), lines(event(EventType.STAGE_QUEUED,
                "retrain", 0, Map.of("reason", "waiting for a training slot"))));
    }

    @Test
    void aCompletedStageEndsTheLiveLineAndGivesItsSeconds() {
        List<FollowView.Output> out = view.render(event(EventType.STAGE_COMPLETED, "shrink", 0, Map.of("seconds",
                1.234, "outputs", Map.of(), "summary", Map.of("zeroCoefficients", 0.9))));
        assertEquals(List.of(new FollowView.LiveEnd(), new FollowView.Line("[shrink] completed in 1.2 s "
                + "(zero coefficients 90.0%)")), out);
        assertEquals(Optional.empty(), view.exitStatus());
    }

    @Test
    void aCompletedJobShowsTheHeadlineAndEndsWithZero() {
        List<String> lines = lines(event(EventType.JOB_COMPLETED, "", 0, Map.of("headline", Map.of(
                "compressedAccuracy", 0.9, "convParamsBefore", 1000, "convParamsAfter", 250, "convMacsBefore", 0,
                "convMacsAfter", 0, "paramsBefore", 2000, "paramsAfter", 1250, "macsBefore", 10, "macsAfter", 5),
                "model", Map.of("uri", "file:/store/j1/shrink/model.json", "sha256", "ab", "size", 1))));
        assertEquals(List.of("job j1 completed", "  accuracy     90.00%", "  conv params  1,000 -> 250 (-75.0%)",
                "  conv MACs    0 -> 0", "  all params   2,000 -> 1,250 (-37.5%)", "  all MACs     10 -> 5 (-50.0%)",
                "  model        /store/j1/shrink/model.json   (bin/penni fetch j1 DIR)"), lines);
        assertEquals(Optional.of(0), view.exitStatus());
    }

    @Test
    void aFailedJobGivesItsStageAndReasonAndEndsWithOne() {
        assertEquals(List.of("job j1 failed in stage finetune: out of memory"), lines(event(EventType.JOB_FAILED,
                "finetune", 0, Map.of("stage", "finetune", "reason", "out of memory"))));
        assertEquals(Optional.of(1), view.exitStatus());
    }

    @Test
    void aRejectedRequestListsItsReasonsAndEndsWithOne() {
        assertEquals(List.of("job j1 rejected:", "  - /model: required", "  - /seed: not an integer"),
                lines(event(EventType.JOB_REJECTED, "", 0, Map.of("reasons", List.of("/model: required",
                        "/seed: not an integer")))));
        assertEquals(Optional.of(1), view.exitStatus());
    }
}
