package io.penni.workflow.internal;

import static io.penni.workflow.internal.WorkflowHarness.count;
import static io.penni.workflow.internal.WorkflowHarness.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.event.JobEvent;
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.workflow.Topics;

/**
 * A full artifact root, through the real worker and broker. Where the test may mount one (root on Linux), the store
 * lies on a real 1 MB tmpfs filled to its last byte; elsewhere that case is skipped and a store that fails its writes
 * as a full disk does stands in. Either way the job fails with the disk's own words in its reason, and the worker
 * goes on serving: once there is room, the next job completes.
 */
@Timeout(180)
class FullDiskTest extends RealBrokerTest {

    @Test
    void aJobWhoseStoreIsFullFailsWithTheReasonAndTheNextJobRunsOnceThereIsRoom() throws Exception {
        kafka.topics(1, "alpha", "beta");
        FullDisk store = new FullDisk(new FileSystemArtifactStore(folder.resolve("full-store")));
        ScriptedStage alpha = ScriptedStage.completing("alpha");
        kafka.start("a", 2, Map.of("alpha", alpha), store);
        kafka.publish("alpha", 0, "job-full", task("job-full", List.of("alpha", "beta")));

        List<JobEvent> events = kafka.events("job-full", e -> count(e, "io.penni.job.failed") == 1);
        String reason = String.valueOf(events.stream().filter(e -> e.type().type().equals("io.penni.job.failed"))
                .findFirst().orElseThrow().data().get("reason"));
        assertTrue(reason.contains("No space left on device"), reason);

        store.full = false;
        kafka.publish("alpha", 0, "job-room", task("job-room", List.of("alpha", "beta")));
        assertEquals(1, kafka.read(Topics.stage("beta"), r -> r.stream().anyMatch(x -> "job-room".equals(x.key())))
                .stream().filter(x -> "job-room".equals(x.key())).count());
        assertTrue(kafka.readAll(Topics.stage("beta")).stream().noneMatch(x -> "job-full".equals(x.key())),
                "the failed job was not handed on");
    }

    @Test
    void onARealFullFileSystemTheJobFailsWithTheDisksReasonAndTheNextRunsOnceThereIsRoom() throws Exception {
        Path mount = java.nio.file.Files.createDirectories(folder.resolve("tmpfs"));
        org.junit.jupiter.api.Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                mount.toString()), "a tmpfs cannot be mounted here (not root, or no mount permission)");
        try {
            kafka.topics(1, "alpha", "beta");
            ArtifactStore store = new FileSystemArtifactStore(mount.resolve("store"));
            kafka.start("a", 2, Map.of("alpha", ScriptedStage.completing("alpha")), store);
            Path filler = mount.resolve("filler");
            fill(filler);
            kafka.publish("alpha", 0, "job-full", task("job-full", List.of("alpha", "beta")));

            List<JobEvent> events = kafka.events("job-full", e -> count(e, "io.penni.job.failed") == 1);
            String reason = String.valueOf(events.stream().filter(e -> e.type().type().equals("io.penni.job.failed"))
                    .findFirst().orElseThrow().data().get("reason"));
            assertTrue(reason.contains("No space left on device"), reason);

            java.nio.file.Files.delete(filler);
            kafka.publish("alpha", 0, "job-room", task("job-room", List.of("alpha", "beta")));
            assertEquals(1, kafka.read(Topics.stage("beta"), r -> r.stream().anyMatch(x -> "job-room".equals(x.key())))
                    .stream().filter(x -> "job-room".equals(x.key())).count());
        } finally {
            kafka.close(); // the worker lets go of the store before the file system goes
            run("umount", "-l", mount.toString());
        }
    }

    /** Writes until the file system is full. */
    private static void fill(Path file) {
        byte[] block = new byte[4096];
        try (var out = java.nio.file.Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            // full: the last byte is taken
        }
    }

    private static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A store whose writes fail while it is full, as a full disk's do. */
    private static final class FullDisk implements ArtifactStore {
        private final ArtifactStore store;
        volatile boolean full = true;

        FullDisk(ArtifactStore store) {
            this.store = store;
        }

        private void room() throws IOException {
            if (full) {
                throw new IOException("No space left on device");
            }
        }

        @Override
        public ArtifactRef put(String jobId, String name, Path source) throws IOException {
            room();
            return store.put(jobId, name, source);
        }

        @Override
        public ArtifactRef write(String jobId, String name, byte[] content) throws IOException {
            room();
            return store.write(jobId, name, content);
        }

        @Override
        public Optional<ArtifactRef> find(String jobId, String name) {
            return store.find(jobId, name);
        }

        @Override
        public Path open(ArtifactRef ref) throws IOException {
            return store.open(ref);
        }

        @Override
        public Path workDir(String jobId, String stage) throws IOException {
            return store.workDir(jobId, stage);
        }
    }
}
