package io.penni.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;

class JobBoardTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private final JobBoard board = new JobBoard(100);

    @Test
    void aQueuedJobIsListedAsQueuedWithNoProgress() {
        board.accept(state("a", JobStatus.QUEUED, "pretrain", 0));
        Map<String, Object> a = board.jobs().get(0);
        assertEquals("QUEUED", a.get("status"));
        assertNull(a.get("progress"));
    }

    @Test
    void aServedModelsEventsAreNoJob() {
        board.accept(event("fashion", EventType.MODEL_DEPLOYED, null, 0, Map.of("version", "1")));
        board.accept(event("fashion", EventType.MODEL_UNDEPLOYED, null, 1, Map.of("version", "1")));
        assertEquals(List.of(), board.jobs());
    }

    @Test
    void theRunningStagesProgressCarriesItsFractionAndAnEtaFromItsOwnPace() {
        board.accept(state("a", JobStatus.RUNNING, "retrain", 0));
        board.accept(event("a", EventType.STAGE_STARTED, "retrain", 0, Map.of("attempt", 1)));
        // a quarter done after 30 s: 90 s to go
        board.accept(event("a", EventType.STAGE_PROGRESS, "retrain", 30, Map.of("epoch", 1, "epochs", 2,
                "iteration", 5, "iterations", 10, "loss", 1.5, "accuracy", 0.5)));
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) board.jobs().get(0).get("progress");
        assertEquals(0.25, (double) p.get("fraction"), 1e-9);
        assertEquals(90.0, (double) p.get("etaSeconds"), 1e-6);
        assertEquals("retrain", p.get("stage"));
    }

    @Test
    void epochCurvesKeepTheLastFiguresOfEachEpochAndTheTimelineTheStagesDurations() {
        board.accept(event("a", EventType.STAGE_STARTED, "pretrain", 0, Map.of()));
        board.accept(event("a", EventType.STAGE_PROGRESS, "pretrain", 1, progress(1, 1, 2.0)));
        board.accept(event("a", EventType.STAGE_PROGRESS, "pretrain", 2, progress(1, 4, 1.0)));
        board.accept(event("a", EventType.STAGE_PROGRESS, "pretrain", 3, progress(2, 4, 0.5)));
        board.accept(event("a", EventType.STAGE_COMPLETED, "pretrain", 4, Map.of("seconds", 4.0,
                "summary", Map.of("accuracy", 0.8))));
        Map<String, Object> detail = board.job("a").orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> curve = ((Map<String, List<Map<String, Object>>>) detail.get("curves")).get("pretrain");
        assertEquals(List.of(1.0, 0.5), curve.stream().map(c -> c.get("loss")).toList());
        @SuppressWarnings("unchecked")
        Map<String, Object> stage = ((List<Map<String, Object>>) detail.get("stages")).get(0);
        assertEquals("completed", stage.get("status"));
        assertEquals(4.0, stage.get("seconds"));
        assertEquals(0.8, detail.get("baselineAccuracy"));
    }

    @Test
    void aFailedJobCarriesItsReasonAndARejectedOneEveryReason() {
        board.accept(event("f", EventType.JOB_FAILED, "prune", 0, Map.of("stage", "prune", "reason", "no strategy")));
        board.accept(event("r", EventType.JOB_REJECTED, null, 0, Map.of("reasons", List.of("/a: x", "/b: y"))));
        assertEquals("no strategy", board.job("f").orElseThrow().get("reason"));
        assertEquals(List.of("/a: x", "/b: y"), board.job("r").orElseThrow().get("reasons"));
    }

    @Test
    void anOlderStateReadAfterANewerOneDoesNotWinAndListenersHearEveryChange() {
        List<Object> heard = new ArrayList<>();
        board.listen((summary, event) -> heard.add(summary.get("status")));
        board.accept(state("a", JobStatus.COMPLETED, "evaluate", 10));
        board.accept(state("a", JobStatus.RUNNING, "retrain", 5));
        assertEquals("COMPLETED", board.jobs().get(0).get("status"));
        assertEquals(List.of("COMPLETED"), heard);
        assertEquals(1, board.byStatus().get("completed"));
        assertTrue(board.job("nope").isEmpty());
    }

    private static Map<String, Object> progress(int epoch, int iteration, double loss) {
        return Map.of("epoch", epoch, "epochs", 2, "iteration", iteration, "iterations", 4, "loss", loss,
                "accuracy", 0.5);
    }

    private static JobState state(String id, JobStatus status, String stage, int second) {
        return new JobState(id, status, Optional.ofNullable(stage), List.of(), status.name().toLowerCase(), Map.of(),
                T0.plusSeconds(second));
    }

    private static JobEvent event(String id, EventType type, String stage, int second, Map<String, Object> data) {
        return new JobEvent("e-" + second + type, URI.create("urn:test"), type, id, Optional.ofNullable(stage),
                T0.plusSeconds(second), data);
    }
}
