package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.stage.StageNames;

/**
 * The Kafka cluster (a broker in a process of its own) stopped for 30 s while a container retrains a job, and a
 * second request sent while it is down: when the broker is back, both jobs complete exactly once, every stage of
 * each completes once, and the container kept running throughout.
 */
class BrokerOutageTest {

    private static String outcome(CompletableFuture<RecordMetadata> send) {
        try {
            return "delivered " + send.get();
        } catch (Exception e) {
            return "failed " + e;
        }
    }

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aJobRunningWhileTheBrokerIsDownFor30SecondsCompletesOnceAndARequestSentMeanwhileIsServed() throws Exception {
        try (BrokerProcess broker = new BrokerProcess(dir.resolve("kafka")).start()) {
            ServerProcess server = ServerProcess.prepare(dir.resolve("a"), dir.resolve("artifacts"),
                    broker.bootstrap()).start();
            String first = "outage-" + UUID.randomUUID().toString().substring(0, 8);
            String second = first + "-sent-during";
            try (JobWatch watch = new JobWatch(broker.bootstrap())) {
                watch.submit(first, JobWatch.request(first, 2048, 3));
                watch.await(e -> e.jobId().equals(first) && e.type() == EventType.STAGE_PROGRESS
                        && e.stage().orElse("").equals(StageNames.RETRAIN)
                        && String.valueOf(e.data().get("message")).startsWith("epoch 1 of 3 done"),
                        Duration.ofMinutes(5), "the end of retraining's first epoch");

                broker.stop();
                CompletableFuture<RecordMetadata> sentDuringOutage = watch.send(second, JobWatch.request(second, 512, 1));
                Thread.sleep(OUTAGE.toMillis());
                assertTrue(server.alive(), "the server survives the broker's absence:\n" + server.tail());
                assertFalse(sentDuringOutage.isDone(), () -> "nothing could be delivered while the broker was down: "
                        + outcome(sentDuringOutage));
                broker.start();
                sentDuringOutage.get(2, TimeUnit.MINUTES);

                for (String job : List.of(first, second)) {
                    watch.await(e -> e.jobId().equals(job) && e.type() == EventType.JOB_COMPLETED,
                            Duration.ofMinutes(8), "the completion of " + job + " after the outage");
                }
                watch.poll(Duration.ofSeconds(5));
                for (String job : List.of(first, second)) {
                    assertEquals(1, watch.of(job, EventType.JOB_ACCEPTED).size(), job + ": one job.accepted");
                    assertEquals(1, watch.of(job, EventType.JOB_COMPLETED).size(), job + ": one job.completed");
                    assertEquals(List.of(), watch.of(job, EventType.JOB_FAILED), job + ": no job.failed");
                    for (String stage : List.of(StageNames.PRETRAIN, StageNames.DECOMPOSE, StageNames.RETRAIN,
                            StageNames.PRUNE, StageNames.FINETUNE, StageNames.SHRINK, StageNames.EVALUATE)) {
                        List<JobEvent> completed = watch.of(job, EventType.STAGE_COMPLETED).stream()
                                .filter(e -> e.stage().orElse("").equals(stage)).toList();
                        assertEquals(1, completed.size(), job + ": " + stage + " completes once: " + completed);
                    }
                }
                assertTrue(server.alive(), "the server is still running");
            } finally {
                assertEquals(0, server.stop(), "SIGTERM stops the server with exit code 0");
            }
        }
    }
}
