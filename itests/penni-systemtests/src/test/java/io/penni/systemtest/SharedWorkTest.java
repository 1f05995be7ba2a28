package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;

/**
 * Two containers in one consumer group — the second one without a broker of its own, pointed at the first's,
 * both on one artifact store — given several jobs: every job completes exactly once, and both containers work.
 */
class SharedWorkTest {

    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @Test
    void twoContainersShareJobsAndEveryJobCompletesExactlyOnce() throws Exception {
        Path artifacts = dir.resolve("artifacts");
        ServerProcess a = ServerProcess.prepare(dir.resolve("a"), artifacts, null).start();
        ServerProcess b = ServerProcess.prepare(dir.resolve("b"), artifacts, a.kafka()).start();
        try (JobWatch watch = new JobWatch(a.kafka())) {
            List<String> jobs = jobsOnEveryPartition();
            for (String job : jobs) {
                watch.submit(job, JobWatch.request(job, 512, 1));
            }
            for (String job : jobs) {
                watch.await(e -> e.jobId().equals(job) && e.type() == EventType.JOB_COMPLETED, Duration.ofMinutes(8),
                        "completion of " + job);
            }
            watch.poll(Duration.ofSeconds(5));
            Set<String> workers = new HashSet<>();
            for (String job : jobs) {
                assertEquals(1, watch.of(job, EventType.JOB_COMPLETED).size(), job + " completes exactly once");
                for (JobEvent e : watch.of(job, EventType.STAGE_STARTED)) {
                    workers.add(e.source().toString());
                }
            }
            assertEquals(2, workers.size(), "both containers ran stages: " + workers);
        } finally {
            assertEquals(0, b.stop());
            assertEquals(0, a.stop());
        }
    }

    /** Job ids whose keys land on every partition of the stage topics, so each container owns some of them. */
    static List<String> jobsOnEveryPartition() {
        List<String> jobs = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        while (covered.size() < PARTITIONS) {
            String id = "shared-" + UUID.randomUUID().toString().substring(0, 8);
            int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            if (covered.add(partition)) {
                jobs.add(id);
            }
        }
        assertTrue(jobs.size() == PARTITIONS);
        return jobs;
    }
}
