package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.stage.StageNames;

/**
 * A container killed with SIGKILL during retraining, then started again on the same folder: its embedded broker
 * comes back with its data, the retraining task comes back to the stage worker, resumes from its last epoch
 * checkpoint, and the job completes exactly once; the command line then shows its report and fetches its files.
 * The job distils from its dense model, so the resumed retraining rebuilds its teacher's logits too.
 */
class CrashResumeTest {

    @TempDir
    Path dir;

    @Test
    void aJobKilledDuringRetrainingResumesFromItsLastCheckpointAndCompletesOnce() throws Exception {
        ServerProcess server = ServerProcess.prepare(dir.resolve("a"), dir.resolve("artifacts"), null).start();
        String job = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        try (JobWatch watch = new JobWatch(server.kafka())) {
            watch.submit(job, JobWatch.distillingRequest(job, 2048, 3));
            watch.await(e -> e.jobId().equals(job) && e.type() == EventType.STAGE_PROGRESS
                    && e.stage().orElse("").equals(StageNames.RETRAIN)
                    && String.valueOf(e.data().get("message")).startsWith("epoch 1 of 3 done"),
                    Duration.ofMinutes(5), "the end of retraining's first epoch");

            server.killHard();
            assertFalse(server.alive(), "killed");
            server.start();

            watch.await(e -> e.jobId().equals(job) && e.type() == EventType.JOB_COMPLETED, Duration.ofMinutes(6),
                    "the job's completion after the restart");
            List<JobEvent> resumed = watch.of(job, EventType.STAGE_PROGRESS).stream()
                    .filter(e -> String.valueOf(e.data().get("message")).startsWith("resumed from the checkpoint after epoch"))
                    .toList();
            assertEquals(1, resumed.size(), "retraining says once that it resumed: " + resumed);
            assertEquals(StageNames.RETRAIN, resumed.get(0).stage().orElse(""));
            String epoch = String.valueOf(resumed.get(0).data().get("message")).replaceAll("\\D+", "");
            assertTrue(Integer.parseInt(epoch) >= 1, "resumed after a finished epoch: " + resumed.get(0).data());
            watch.poll(Duration.ofSeconds(5));
            assertEquals(1, watch.of(job, EventType.JOB_COMPLETED).size(), "exactly one job.completed");
            List<String> teachers = watch.of(job, EventType.STAGE_PROGRESS).stream()
                    .map(e -> String.valueOf(e.data().get("message")))
                    .filter(m -> m.startsWith("distilling from the dense model")).toList();
            assertFalse(teachers.isEmpty(), "the training stages say what runs their teacher");
            // the first retraining starts long after the container: its CPU engine is there (a restarted stage
            // may run before the engine's component is back, and then rightly uses the training graph)
            assertTrue(teachers.get(0).endsWith("computed on the cpu backend"),
                    "the container's CPU engine runs the teacher: " + teachers);
            assertEquals(1, watch.of(job, EventType.STAGE_COMPLETED).stream()
                    .filter(e -> e.stage().orElse("").equals(StageNames.PRETRAIN)).count(),
                    "pretrain, completed before the crash, is not redone");

            CliProcess.Result report = CliProcess.run(server.kafka(), "report", job);
            assertEquals(0, report.exitCode(), "bin/penni report JOB succeeds:\n" + report.output());
            assertTrue(report.output().contains("# PENNI report: job " + job), "the report is the job's:\n"
                    + report.output());
            assertTrue(report.output().contains("Distillation from the dense model: alpha 0.5, temperature 2.0"),
                    "the report says the job distilled:\n" + report.output());
            CliProcess.Result fetch = CliProcess.run(server.kafka(), "fetch", job, dir.resolve("fetched").toString());
            assertEquals(0, fetch.exitCode(), "bin/penni fetch JOB DIR succeeds:\n" + fetch.output());
            for (String file : List.of("report.json", "report.md", "learning-curves.csv", "model.onnx")) {
                assertTrue(Files.size(dir.resolve("fetched").resolve(file)) > 0, file + " fetched: " + fetch.output());
            }
        } finally {
            assertEquals(0, server.stop(), "SIGTERM stops the server with exit code 0");
        }
    }
}
