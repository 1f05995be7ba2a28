package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.stage.StageNames;
import io.penni.model.StoredTensor;
import io.penni.pruner.MaskFiles;
import io.penni.pruner.ParameterMasks;

/**
 * Pruning strategies swapped while the server runs, through {@code deploy/} as a user does it: a dropped strategy
 * bundle is listed within seconds and prunes the next job as it says; a removed one is refused to new requests
 * while the job already pruning with it completes; an updated one is used by the jobs that start after the
 * update, each report naming the version it used, and no job fails.
 */
@ExtendWith(BundleContextExtension.class)
class StrategyHotSwapTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LISTED = Duration.ofSeconds(20);
    private static final Duration JOB = Duration.ofMinutes(4);
    private static final String SLOW_BUNDLE = "io.penni.itest-strategy";

    @InjectBundleContext
    BundleContext context;

    private KafkaJobs jobs;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<Path> deployed = new ArrayList<>();

    /** A small job (256 images, no pretraining, one epoch of fine-tuning) with the given pruning. */
    static String request(String jobId, String pruning) {
        return """
                {"jobId": "%s", "model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 256, "testLimit": 128},
                 "pretrain": {"epochs": 0},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": 0}, "finetune": {"epochs": 1, "batchSize": 64}},
                 "pruning": %s,
                 "evaluation": {"batchSizes": [1], "warmupRuns": 1, "timedRuns": 2}}""".formatted(jobId, pruning);
    }

    @BeforeEach
    void clients() {
        jobs = new KafkaJobs(context);
    }

    @AfterEach
    void undeploy() throws Exception {
        jobs.close();
        for (Path jar : deployed) {
            Files.deleteIfExists(jar);
        }
        Await.until("the test's strategy bundles to be uninstalled", LISTED,
                () -> bundle(SLOW_BUNDLE).isEmpty() && bundle("com.example.penni.strategy.topk").isEmpty());
    }

    @Test
    void aDroppedStrategyIsListedWithinSecondsAndTheNextJobPrunesAsItSays() throws Exception {
        deploy("penni.itest.example.jar", "strategy-example.jar");
        Duration listedAfter = Await.until("channel-top-k in /penni/strategies", LISTED,
                () -> listed("channel-top-k").isPresent());
        JsonNode entry = listed("channel-top-k").orElseThrow();
        assertEquals("com.example.penni.strategy.topk", entry.path("bundle").asText());
        assertEquals("1.0.0", entry.path("version").asText());
        assertEquals("2", entry.path("parameters").path("k").asText(), "its configured parameters are listed");
        assertEquals("std-threshold", listing().path("default").asText(),
                "a request naming no strategy still gets the configured default");
        System.out.printf("channel-top-k listed %.1f s after its jar was dropped%n", listedAfter.toMillis() / 1e3);

        String jobId = "topk-" + run;
        jobs.submit(jobId, request(jobId, "{\"strategy\": \"channel-top-k\", \"parameters\": {\"k\": 2}}"));
        JobEvent end = jobs.awaitEnd(jobId, JOB);
        assertEquals(EventType.JOB_COMPLETED, end.type(), "the job completes: " + end.data());

        JobEvent pruned = jobs.await(jobId, EventType.STAGE_COMPLETED, StageNames.PRUNE, Duration.ofSeconds(5));
        Map<?, ?> summary = (Map<?, ?>) pruned.data().get("summary");
        assertEquals("channel-top-k", summary.get("strategy"));
        assertEquals("com.example.penni.strategy.topk", summary.get("bundle"));
        assertEquals("1.0.0", summary.get("bundleVersion"));

        // every output channel of every coefficient tensor keeps exactly k = 2 values: the strategy's rule
        ParameterMasks masks = MaskFiles.load(file(((Map<?, ?>) pruned.data().get("outputs")).get("masks")));
        long kept = 0;
        long total = 0;
        for (Map.Entry<String, StoredTensor.Bool> mask : masks.masks().entrySet()) {
            if (!mask.getKey().endsWith(".coefficients")) {
                continue;
            }
            boolean[] keep = mask.getValue().values();
            int perChannel = keep.length / mask.getValue().shape()[0];
            for (int start = 0; start < keep.length; start += perChannel) {
                int inChannel = 0;
                for (int i = start; i < start + perChannel; i++) {
                    inChannel += keep[i] ? 1 : 0;
                }
                assertEquals(Math.min(2, perChannel), inChannel, mask.getKey() + " channel " + start / perChannel);
            }
            kept += mask.getValue().shape()[0] * (long) Math.min(2, perChannel);
            total += keep.length;
        }
        JsonNode pruning = report(end).path("pruning");
        assertEquals("channel-top-k", pruning.path("strategy").asText());
        assertEquals("1.0.0", pruning.path("version").asText());
        assertEquals("2", pruning.path("parameters").path("k").asText());
        assertEquals(1 - (double) kept / total, pruning.path("sparsity").asDouble(), 1e-12,
                "the report's sparsity is the one k = 2 per channel implies");
    }

    @Test
    void aRemovedStrategyIsRefusedToNewRequestsWhileTheJobPruningWithItCompletes() throws Exception {
        deploy("penni.itest.strategy.v1.jar", "itest-strategy.jar");
        Await.until("itest-slow in /penni/strategies", LISTED, () -> listed("itest-slow").isPresent());
        String pruning = "{\"strategy\": \"itest-slow\", \"parameters\": {\"delay.ms\": 15000}}";
        String running = "removed-running-" + run;
        jobs.submit(running, request(running, pruning));
        jobs.await(running, EventType.STAGE_STARTED, StageNames.PRUNE, JOB);
        Thread.sleep(2000); // the strategy is now in its 15 s computeMask

        Files.delete(deployed.remove(0));
        Await.until("the removed strategy bundle to be uninstalled", LISTED, () -> bundle(SLOW_BUNDLE).isEmpty());
        jobs.drain(Duration.ofMillis(200));
        assertFalse(prunedSeen(running), "the removal landed while the job was pruning");

        String refused = "removed-refused-" + run;
        jobs.submit(refused, request(refused, pruning));
        JobEvent rejected = jobs.awaitEnd(refused, Duration.ofSeconds(60));
        assertEquals(EventType.JOB_REJECTED, rejected.type());
        String reasons = rejected.data().get("reasons").toString();
        assertTrue(reasons.contains("unknown strategy 'itest-slow'; available: [") && reasons.contains("std-threshold"),
                "the rejection lists the available strategies: " + reasons);

        JobEvent end = jobs.awaitEnd(running, JOB);
        assertEquals(EventType.JOB_COMPLETED, end.type(), "the job pruning with it completes: " + end.data());
        JsonNode report = report(end).path("pruning");
        assertEquals("itest-slow", report.path("strategy").asText());
        assertEquals(SLOW_BUNDLE, report.path("bundle").asText());
        assertEquals("1.0.0", report.path("version").asText());
    }

    @Test
    void anUpdatedStrategyServesTheJobsAfterTheUpdateAndNoJobFails() throws Exception {
        Path jar = deploy("penni.itest.strategy.v1.jar", "itest-strategy-update.jar");
        Await.until("itest-slow 1.0.0 in /penni/strategies", LISTED,
                () -> listed("itest-slow").map(s -> s.path("version").asText().equals("1.0.0")).orElse(false));
        String pruning = "{\"strategy\": \"itest-slow\", \"parameters\": {\"delay.ms\": 3000, \"below\": 0.01}}";
        List<String> before = List.of("update-1-" + run, "update-2-" + run);
        List<String> after = List.of("update-3-" + run, "update-4-" + run);
        for (String jobId : before) {
            jobs.submit(jobId, request(jobId, pruning));
        }
        jobs.await(before.get(0), EventType.STAGE_STARTED, StageNames.PRUNE, JOB);

        // the new version replaces the jar in one move, as an operator's copy-then-rename does
        Path staged = Files.copy(Path.of(context.getProperty("penni.itest.strategy.v2.jar")),
                jar.resolveSibling(".itest-strategy-update.jar.part"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Await.until("itest-slow 2.0.0 in /penni/strategies", LISTED,
                () -> listed("itest-slow").map(s -> s.path("version").asText().equals("2.0.0")).orElse(false));
        for (String jobId : after) {
            jobs.submit(jobId, request(jobId, pruning));
        }

        TreeSet<String> versions = new TreeSet<>();
        for (String jobId : concat(before, after)) {
            JobEvent end = jobs.awaitEnd(jobId, JOB);
            assertEquals(EventType.JOB_COMPLETED, end.type(), jobId + " completes: " + end.data());
            String version = report(end).path("pruning").path("version").asText();
            assertEquals(version, ((Map<?, ?>) jobs.await(jobId, EventType.STAGE_COMPLETED, StageNames.PRUNE,
                    Duration.ofSeconds(5)).data().get("summary")).get("bundleVersion"), "event and report agree");
            versions.add(version);
            if (jobId.equals(before.get(0))) {
                assertEquals("1.0.0", version, "the job pruning during the update keeps the instance it started with");
            }
            if (after.contains(jobId)) {
                assertEquals("2.0.0", version, "a job that starts after the update uses the new version");
            }
        }
        assertEquals(new TreeSet<>(List.of("1.0.0", "2.0.0")), versions);
    }

    /** Copies a jar the build made into deploy/ under a name of the test's; it is removed after the test. */
    private Path deploy(String property, String name) throws IOException {
        Path target = Path.of(context.getProperty("penni.deploy.dir")).resolve(name);
        deployed.add(target);
        return Files.copy(Path.of(context.getProperty(property)), target, StandardCopyOption.REPLACE_EXISTING);
    }

    private Optional<Bundle> bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst();
    }

    private boolean prunedSeen(String jobId) {
        return jobs.seen().stream().anyMatch(e -> e.jobId().equals(jobId) && e.type() == EventType.STAGE_COMPLETED
                && StageNames.PRUNE.equals(e.stage().orElse("")));
    }

    /** The entry of /penni/strategies with this name, as the server lists it now. */
    private Optional<JsonNode> listed(String name) {
        for (JsonNode s : listing().path("strategies")) {
            if (s.path("name").asText().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** What /penni/strategies answers now; an empty object when it does not answer. */
    private JsonNode listing() {
        String metrics = context.getProperty("penni.metrics.url");
        URI uri = URI.create(metrics.substring(0, metrics.length() - "/metrics".length()) + "/penni/strategies");
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    private static JsonNode report(JobEvent completed) throws IOException {
        return JSON.readTree(file(completed.data().get("report")).toFile());
    }

    private static Path file(Object ref) {
        return Path.of(URI.create((String) ((Map<?, ?>) ref).get("uri")));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
