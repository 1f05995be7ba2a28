package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.stage.StageNames;
import io.penni.artifacts.s3.testing.S3Server;

/**
 * Two containers as two hosts would run them: separate base folders ({@code var/} included), no shared artifact
 * path, one standalone Kafka broker, and one real S3 server (S3Proxy) they both keep artifacts and checkpoints in.
 * Several jobs start on the first container, the second joins, and the jobs complete once each with stages of one
 * job run on both containers; then the container retraining a job is killed with SIGKILL, and the other one
 * finishes it from the checkpoint.
 *
 * <p>Run with {@code -Dpenni.twohosts.store=file} it gives each container the file-system store instead (in its
 * own {@code var/}), which is what a second host without a shared file system has: that run fails, because a stage
 * on one host cannot read what the other wrote.
 */
class TwoHostsTest {

    private static final String BUCKET = "penni";
    private static final String SOURCE_A = "urn:penni:host-a:workflow";
    private static final String SOURCE_B = "urn:penni:host-b:workflow";

    @TempDir
    Path dir;

    @Test
    void twoContainersShareJobsThroughOneObjectStoreAndOneFinishesWhatTheOtherWasKilledIn() throws Exception {
        boolean fileStore = "file".equals(System.getProperty("penni.twohosts.store"));
        try (S3Server s3 = S3Server.start(dir.resolve("s3"));
                BrokerProcess broker = new BrokerProcess(dir.resolve("kafka")).start()) {
            s3.createBucket(BUCKET);
            ServerProcess a = host("host-a", broker, s3, fileStore).start();
            ServerProcess b = host("host-b", broker, s3, fileStore);
            try (JobWatch watch = new JobWatch(broker.bootstrap())) {
                List<String> jobs = SharedWorkTest.jobsOnEveryPartition();
                for (String job : jobs) {
                    watch.submit(job, JobWatch.request(job, 512, 1));
                }
                // Kafka keeps a job on one partition number of every stage topic, and the sticky assignment gives
                // two members the same numbers of every topic: with both present from the start each job would stay
                // on one container. So the second host joins once every job has a stage done on the first, as a host
                // added to a busy deployment does; the rebalance hands it half of the partitions, and the jobs on
                // those continue there, reading what the first host wrote from the object store.
                for (String job : jobs) {
                    watch.await(e -> e.jobId().equals(job) && e.type() == EventType.STAGE_COMPLETED,
                            Duration.ofMinutes(8), "a first stage of " + job + " on host-a");
                }
                b.start();
                for (String job : jobs) {
                    watch.await(e -> e.jobId().equals(job)
                            && (e.type() == EventType.JOB_COMPLETED || e.type() == EventType.JOB_FAILED),
                            Duration.ofMinutes(8), "the end of " + job);
                }
                watch.poll(Duration.ofSeconds(3));
                List<String> spanning = new ArrayList<>();
                for (String job : jobs) {
                    assertEquals(List.of(), watch.of(job, EventType.JOB_FAILED).stream().map(JobEvent::data).toList(),
                            job + " does not fail");
                    assertEquals(1, watch.of(job, EventType.JOB_COMPLETED).size(), job + " completes exactly once");
                    if (sources(watch, job).size() == 2) {
                        spanning.add(job);
                    }
                }
                assertFalse(spanning.isEmpty(), "stages of one job ran on both containers: "
                        + jobs.stream().collect(Collectors.toMap(j -> j, j -> sources(watch, j))));
                String outputs = watch.of(jobs.get(0), EventType.STAGE_COMPLETED).get(0).data().toString();
                assertTrue(outputs.contains("s3://" + BUCKET + "/jobs/" + jobs.get(0) + "/"),
                        "events carry the object store's URIs: " + outputs);

                String job = "twohosts-" + UUID.randomUUID().toString().substring(0, 8);
                watch.submit(job, JobWatch.request(job, 2048, 3));
                JobEvent epoch = watch.await(e -> e.jobId().equals(job) && e.type() == EventType.STAGE_PROGRESS
                        && e.stage().orElse("").equals(StageNames.RETRAIN)
                        && String.valueOf(e.data().get("message")).startsWith("epoch 1 of 3 done"),
                        Duration.ofMinutes(5), "the end of retraining's first epoch");
                boolean onA = epoch.source().toString().equals(SOURCE_A);
                ServerProcess victim = onA ? a : b;
                String survivor = onA ? SOURCE_B : SOURCE_A;
                victim.killHard();
                assertFalse(victim.alive(), "killed");

                watch.await(e -> e.jobId().equals(job)
                        && (e.type() == EventType.JOB_COMPLETED || e.type() == EventType.JOB_FAILED),
                        Duration.ofMinutes(6), "the end of " + job + " after its container was killed");
                watch.poll(Duration.ofSeconds(5));
                List<JobEvent> resumed = watch.of(job, EventType.STAGE_PROGRESS).stream()
                        .filter(e -> String.valueOf(e.data().get("message"))
                                .startsWith("resumed from the checkpoint after epoch"))
                        .toList();
                assertEquals(1, resumed.size(), "retraining resumed once, on the other container: " + resumed
                        + "; failures: " + watch.of(job, EventType.JOB_FAILED).stream().map(JobEvent::data).toList());
                assertEquals(survivor, resumed.get(0).source().toString(), "the survivor resumed it");
                assertEquals(StageNames.RETRAIN, resumed.get(0).stage().orElse(""));
                int after = Integer.parseInt(String.valueOf(resumed.get(0).data().get("message")).replaceAll("\\D+", ""));
                assertTrue(after >= 1, "resumed after a finished epoch, not from scratch: " + resumed.get(0).data());
                List<JobEvent> completed = watch.of(job, EventType.JOB_COMPLETED);
                assertEquals(1, completed.size(), "exactly one job.completed");
                assertEquals(survivor, completed.get(0).source().toString());
            } finally {
                for (ServerProcess server : List.of(a, b)) {
                    if (server.alive()) {
                        assertEquals(0, server.stop(), "SIGTERM stops the server");
                    }
                }
            }
        }
    }

    /** The containers that ran stages of a job, by the events' source. */
    private static Set<String> sources(JobWatch watch, String job) {
        return watch.of(job, EventType.STAGE_STARTED).stream().map(e -> e.source().toString())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** A container with its own base folder, artifacts in the object store (or in its own var/). */
    private ServerProcess host(String name, BrokerProcess broker, S3Server s3, boolean fileStore) throws Exception {
        Path base = dir.resolve(name);
        ServerProcess server = ServerProcess.prepare(base, base.resolve("var/artifacts"), broker.bootstrap());
        Path workflow = server.config().resolve("penni.workflow.cfg");
        Files.writeString(workflow, Files.readString(workflow).replace("\ncontainer.id=\n", "\ncontainer.id=" + name + "\n"));
        if (!fileStore) {
            // the credentials come from the environment, as a deployment's secrets would
            Files.writeString(server.config().resolve("penni.artifacts.s3.cfg"), "endpoint=" + s3.endpoint() + "\n"
                    + "bucket=" + BUCKET + "\nregion=us-east-1\npathStyleAccess=true\n");
            Map.of("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY)
                    .forEach(server::environment);
        }
        return server;
    }
}
