package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;
import io.penni.model.ModelRepositoryFolder;

/**
 * The repository over a real folder, with a loader whose model answers its version number for every image, and
 * refuses a graph file that says {@code broken}.
 */
class ModelRepositoryTest {

    @TempDir
    Path root;

    private final Map<String, Boolean> closed = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> loadedBy = new CopyOnWriteArrayList<>();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private ModelRepository repository;

    private LoadOutcome load(String backend, Path graph) {
        loadedBy.add(backend);
        if (backend.equals("missing")) {
            throw new IllegalArgumentException("no such backend");
        }
        try {
            String content = Files.readString(graph);
            if (content.contains("broken")) {
                return new LoadOutcome.Unsupported("the graph is broken");
            }
        } catch (IOException e) {
            return new LoadOutcome.Unsupported(e.getMessage());
        }
        String version = graph.getParent().getFileName().toString();
        return new LoadOutcome.Loaded(new LoadedModel() {
            @Override
            public ActivationShape inputShape() {
                return new ActivationShape(1, 1, 2);
            }

            @Override
            public int outputSize() {
                return 1;
            }

            @Override
            public float[] run(float[] input, int batch) {
                float[] out = new float[batch];
                java.util.Arrays.fill(out, Float.parseFloat(version));
                return out;
            }

            @Override
            public long weightBytes() {
                return 0;
            }

            @Override
            public long workspaceBytes(int batch) {
                return 0;
            }

            @Override
            public void close() {
                closed.put(version, true);
            }
        });
    }

    private ModelRepository repository() {
        repository = new ModelRepository(root, "fake", this::load, new BatchSettings(8, Duration.ZERO, 16,
                Duration.ofSeconds(10)), new ServingMetrics(registry), new ModelRepository.Listener() {
                    @Override
                    public void deployed(String model, ModelVersion version) {
                        heard.add("deployed " + model + " " + version.version() + " " + version.backend());
                    }

                    @Override
                    public void undeployed(String model, ModelVersion version, String reason) {
                        heard.add("undeployed " + model + " " + version.version() + ": " + reason);
                    }
                });
        return repository;
    }

    @AfterEach
    void close() {
        if (repository != null) {
            repository.close();
        }
    }

    private void drop(String name, String version, String graph) throws IOException {
        Path folder = Files.createDirectories(root.resolve(name).resolve(version));
        Files.writeString(folder.resolve(ModelRepository.GRAPH), graph);
    }

    private float infer(ModelRepository repo, String name) throws Exception {
        ModelVersion version = repo.model(name).orElseThrow().current().orElseThrow();
        return assertInstanceOf(DynamicBatcher.Submission.Queued.class, version.batcher().submit(new float[2], 1))
                .result().get(10, TimeUnit.SECONDS)[0];
    }

    @Test
    void servesTheNewestVersionOfEachModel() throws Exception {
        drop("fashion", "1", "{}");
        drop("fashion", "10", "{}");
        drop("fashion", "9", "{}");
        ModelRepository repo = repository();
        assertFalse(repo.ready(), "not ready before the first scan");
        repo.scan();
        assertTrue(repo.ready());
        assertEquals(10f, infer(repo, "fashion"));
        assertEquals(List.of("10", "9", "1"), repo.model("fashion").orElseThrow().versions().stream()
                .map(ServedModel.VersionState::version).toList());
        assertEquals("READY", repo.model("fashion").orElseThrow().versions().get(0).state());
        assertEquals(1.0, registry.get(ServingMetrics.BATCH_SIZE).tag("model", "fashion").summary().count());
        assertEquals(0.0, registry.get(ServingMetrics.QUEUE_DEPTH).tag("model", "fashion").gauge().value());
    }

    @Test
    void aNewVersionReplacesTheOldWhichIsClosedAfterItsQueueRan() throws Exception {
        drop("m", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        ModelVersion first = repo.model("m").orElseThrow().current().orElseThrow();
        assertEquals(1f, infer(repo, "m"));
        drop("m", "2", "{}");
        repo.scan();
        assertEquals(2f, infer(repo, "m"));
        assertTrue(first.batcher().awaitDrained(10_000));
        assertEquals(Map.of("1", true), closed);
        assertInstanceOf(DynamicBatcher.Submission.Closed.class, first.batcher().submit(new float[2], 1));
    }

    @Test
    void aVersionThatDoesNotLoadLeavesThePreviousServingAndIsRetriedWhenItChanges() throws Exception {
        drop("m", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        drop("m", "2", "broken");
        repo.scan();
        assertEquals(1f, infer(repo, "m"));
        ServedModel.VersionState failed = repo.model("m").orElseThrow().versions().get(0);
        assertEquals(new ServedModel.VersionState("2", "FAILED", "the graph is broken"), failed);
        drop("m", "2", "{ }");
        repo.scan();
        assertEquals(2f, infer(repo, "m"));
    }

    @Test
    void theServedVersionsFilesReplacedInPlaceAreLoadedAgain() throws Exception {
        drop("m", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        ModelVersion first = repo.model("m").orElseThrow().current().orElseThrow();
        repo.scan();
        assertEquals(first, repo.model("m").orElseThrow().current().orElseThrow(), "unchanged files: kept");
        drop("m", "1", "{\"changed\": true}");
        repo.scan();
        assertTrue(first != repo.model("m").orElseThrow().current().orElseThrow());
        assertTrue(first.batcher().awaitDrained(10_000));
        assertEquals(1f, infer(repo, "m"));
    }

    @Test
    void otherBatchSettingsReloadTheServedVersionAndSwapItIn() throws Exception {
        drop("m", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        ModelVersion before = repo.model("m").orElseThrow().current().orElseThrow();
        repo.settings(new BatchSettings(1, Duration.ZERO, 2, Duration.ofSeconds(10)));
        repo.scan();
        ModelVersion after = repo.model("m").orElseThrow().current().orElseThrow();
        assertTrue(before != after, "loaded again");
        assertTrue(before.batcher().awaitDrained(10_000));
        assertEquals(1f, infer(repo, "m"));
        assertEquals(before.stamp().replaceFirst("\\|0\\|", "|1|"), after.stamp());
    }

    @Test
    void aModelWhoseFolderIsGoneIsNoLongerServed() throws Exception {
        drop("m", "1", "{}");
        drop("other", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        Files.delete(root.resolve("m/1/model.json"));
        Files.delete(root.resolve("m/1"));
        Files.delete(root.resolve("m"));
        repo.scan();
        assertTrue(repo.model("m").isEmpty());
        assertEquals(List.of("other"), repo.models().stream().map(ServedModel::name).toList());
        assertArrayEquals(new float[] {1f}, new float[] {infer(repo, "other")});
    }

    @Test
    void aVersionsDeploymentFileNamesItsBackendItsBatchingAndItsLimits() throws Exception {
        drop("m", "1", "{}");
        Files.writeString(root.resolve("m/1").resolve(ModelRepositoryFolder.DEPLOYMENT),
                "{\"backend\": \"other\", \"maxBatch\": 4, \"maxQueueDelayMicros\": 250, \"queueCapacity\": 3, "
                        + "\"requestTimeoutMillis\": 700, \"source\": \"job j1\"}");
        ModelRepository repo = repository();
        repo.scan();
        ModelVersion served = repo.model("m").orElseThrow().current().orElseThrow();
        assertEquals("other", served.backend());
        assertEquals(List.of("other"), loadedBy);
        assertEquals(new BatchSettings(4, Duration.ofNanos(250_000), 3, Duration.ofMillis(700)),
                served.batcher().settings());
        assertEquals(1f, infer(repo, "m"));
    }

    @Test
    void aBrokenDeploymentFileOrAMissingBackendFailsTheVersionWithTheReasonAndThePreviousServes() throws Exception {
        drop("m", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        drop("m", "2", "{}");
        Files.writeString(root.resolve("m/2").resolve(ModelRepositoryFolder.DEPLOYMENT), "{\"maxBatch\": 0}");
        repo.scan();
        assertEquals(1f, infer(repo, "m"));
        ServedModel.VersionState failed = repo.model("m").orElseThrow().versions().get(0);
        assertEquals("FAILED", failed.state());
        assertEquals("deployment.json: maxBatch must be a whole number from 1 to 4096, was 0", failed.reason());
        Files.writeString(root.resolve("m/2").resolve(ModelRepositoryFolder.DEPLOYMENT), "{\"backend\": \"missing\"}");
        repo.scan();
        assertEquals("no such backend", repo.model("m").orElseThrow().versions().get(0).reason());
        repo.backendsChanged();
        repo.scan();
        assertEquals(List.of("fake", "missing", "missing"), loadedBy, "tried again once the backends changed");
    }

    @Test
    void theListenerHearsOfEveryVersionThatStartsOrStopsServing() throws Exception {
        drop("m", "1", "{}");
        ModelRepository repo = repository();
        repo.scan();
        drop("m", "2", "{}");
        repo.scan();
        Files.delete(root.resolve("m/1/model.json"));
        Files.delete(root.resolve("m/2/model.json"));
        repo.scan();
        assertEquals(List.of("deployed m 1 fake", "undeployed m 1: replaced by version 2", "deployed m 2 fake",
                "undeployed m 2: removed from the repository"), heard);
    }
}
