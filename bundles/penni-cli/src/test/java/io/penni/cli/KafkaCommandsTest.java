package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.event.JobEvent;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;
import io.penni.api.model.Model;
import io.penni.cli.internal.ArtifactFiles;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelFiles;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * The Kafka commands against a real KRaft broker, fed with what the server publishes: CloudEvents produced in
 * transactions on {@code penni.events}, job states on the compacted {@code penni.jobs}, artifacts as files with
 * their SHA-256.
 */
class KafkaCommandsTest {

    @TempDir
    static Path kafkaData;

    @TempDir
    Path dir;

    private static KafkaBroker broker;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(kafkaData);
        broker.createTopics(2, List.of(Topics.REQUESTS, Topics.EVENTS, Topics.JOBS));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-server", ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
    }

    @AfterAll
    static void stopBroker() {
        if (producer != null) {
            producer.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static String job(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Publishes events and states in one committed transaction, as the server's stage workers do. */
    private static void commit(List<JobEvent> events, JobState... states) {
        producer.beginTransaction();
        send(events, states);
        producer.commitTransaction();
    }

    private static void abort(List<JobEvent> events) {
        producer.beginTransaction();
        send(events);
        producer.flush();
        producer.abortTransaction();
    }

    private static void send(List<JobEvent> events, JobState... states) {
        for (JobEvent e : events) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, null, e.jobId(), CloudEvents.value(e),
                    CloudEvents.headers(e)));
        }
        for (JobState s : states) {
            producer.send(new ProducerRecord<>(Topics.JOBS, s.jobId(), WorkflowJson.write(s)));
        }
    }

    private PenniCliTest.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap");
        all.add(broker.bootstrap());
        return PenniCliTest.run(all.toArray(String[]::new));
    }

    /** A file in the test's "artifact store" and its reference. */
    private ArtifactRef artifact(String name, String content) throws Exception {
        Path file = dir.resolve("store").resolve(name);
        Files.createDirectories(file.getParent());
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        return new ArtifactRef(file.toUri(), ArtifactFiles.sha256(bytes), bytes.length);
    }

    /** The reference of a file already in the test's "artifact store". */
    private static ArtifactRef stored(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        return new ArtifactRef(file.toUri(), ArtifactFiles.sha256(bytes), bytes.length);
    }

    private static JobState state(String jobId, JobStatus status, String stage, Map<String, ArtifactRef> artifacts,
            String message, long second) {
        return new JobState(jobId, status, Optional.of(stage), List.of("pretrain"), message, artifacts,
                JobEvents.T0.plusSeconds(second));
    }

    /**
     * A completed job in the job table.
     *
     * @param jobId its id
     * @param artifacts its artifacts by name
     */
    private record CompletedJob(String jobId, Map<String, ArtifactRef> artifacts) {
    }

    private CompletedJob completedJob(String name) throws Exception {
        String jobId = job(name);
        Map<String, ArtifactRef> a = completedArtifacts(jobId);
        commit(List.of(), state(jobId, JobStatus.COMPLETED, "evaluate", a, "completed", 9));
        return new CompletedJob(jobId, a);
    }

    /** A completed job's artifacts: every file fetch copies. */
    private Map<String, ArtifactRef> completedArtifacts(String jobId) throws Exception {
        Map<String, ArtifactRef> a = new LinkedHashMap<>();
        a.put("model", artifact(jobId + "/shrink/model.json", "{\"graph\": \"" + jobId + "\"}"));
        a.put("weights", artifact(jobId + "/shrink/model.safetensors", "weights of " + jobId));
        a.put("report", artifact(jobId + "/report/report.json", "{\"jobId\": \"" + jobId + "\"}"));
        a.put("report.md", artifact(jobId + "/report/report.md", "# PENNI report: job " + jobId + "\n\n| layer |\n"));
        a.put("learning-curves", artifact(jobId + "/report/learning-curves.csv", "stage,epoch\npretrain,1\n"));
        a.put("model.onnx", artifact(jobId + "/report/model.onnx", "onnx of " + jobId));
        return a;
    }

    @Test
    void followShowsStagesProgressAndTheHeadlineThenExitsZero() throws Exception {
        String jobId = job("follow");
        Map<String, ArtifactRef> a = completedArtifacts(jobId);
        List<JobEvent> events = new ArrayList<>(List.of(JobEvents.accepted(jobId),
                JobEvents.started(jobId, "pretrain", 1)));
        for (int i = 1; i <= 20; i++) {
            events.add(JobEvents.iteration(jobId, "pretrain", 1 + i, 1, 2, i, 20));
        }
        events.add(JobEvents.epochEnd(jobId, "pretrain", 22, 1, 2));
        events.add(JobEvents.stageCompleted(jobId, "pretrain", 23, 22.0));
        events.add(JobEvents.started(job("other"), "pretrain", 23));
        events.add(JobEvents.completed(jobId, 300, a));
        commit(events);

        PenniCliTest.Result r = run("follow", jobId, "--timeout", "60s");

        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("job " + jobId + " accepted: model BuiltIn[architecture=vgg-small, seed=42], data "
                + "fashion-mnist:fashion-mnist; stages pretrain, decompose", lines.get(0));
        assertEquals("[pretrain] started", lines.get(1));
        // not a terminal: the first progress line of the stage, then one per 10 s of event time
        assertEquals("[pretrain] epoch 1/2 iter 1/20 [#---------------] loss 0.5123 acc 81.2% 212 img/s", lines.get(2));
        assertTrue(lines.get(3).startsWith("[pretrain] epoch 1/2 iter 11/20 [#########-------] loss 0.5123 acc 81.2% "
                + "212 img/s ETA 29s"), lines.get(3));
        assertEquals("[pretrain] epoch 1 of 2 done (pretrain): loss 0.4000, accuracy 85.1%, sparsity 0.0%, 201 img/s",
                lines.get(4));
        assertEquals("[pretrain] completed in 22.0 s (accuracy 90.00%, 123,456 params)", lines.get(5));
        assertEquals("job " + jobId + " completed in 5m00s", lines.get(6));
        assertTrue(r.out().contains("  accuracy     90.00% -> 89.50%\n"), r.out());
        assertTrue(r.out().contains("  conv params  900,000 -> 90,000 (-90.0%)\n"), r.out());
        assertTrue(r.out().contains("  conv MACs    40,000,000 -> 4,000,000 (-90.0%)\n"), r.out());
        assertTrue(r.out().contains("  report       " + Path.of(a.get("report.md").uri()) + "   (bin/penni report "
                + jobId + ")"), r.out());
        assertTrue(r.out().contains("  onnx         " + Path.of(a.get("model.onnx").uri()) + "   (factored form; "
                + "bin/penni export " + jobId + " --form dense --out FILE.onnx)"), r.out());
        assertFalse(r.out().contains("other-"), "another job's events are not shown: " + r.out());
    }

    @Test
    void followReadsCommittedEventsOnlySoAnAbortedFailureIsNotShown() throws Exception {
        String jobId = job("aborted");
        Map<String, ArtifactRef> a = completedArtifacts(jobId);
        abort(List.of(JobEvents.accepted(jobId), JobEvents.failed(jobId, "retrain", 5, "never committed")));
        commit(List.of(JobEvents.accepted(jobId),
                JobEvents.completed(jobId, 60, a)));

        PenniCliTest.Result r = run("follow", jobId, "--timeout", "60s");

        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("never committed"), r.out());
    }

    @Test
    void followOfAFailedJobPrintsTheReasonAndExitsOne() {
        String jobId = job("failed");
        commit(List.of(JobEvents.accepted(jobId), JobEvents.started(jobId, "retrain", 1),
                JobEvents.failed(jobId, "retrain", 2, "retrain failed: loss is NaN at epoch 3")));

        PenniCliTest.Result r = run("follow", jobId, "--timeout", "60s");

        assertEquals(1, r.status());
        assertTrue(r.out().endsWith("job " + jobId + " failed in stage retrain: retrain failed: loss is NaN at epoch 3\n"),
                r.out());
    }

    @Test
    void followOfARejectedRequestListsEveryReasonAndExitsOne() {
        String jobId = job("rejected");
        commit(List.of(JobEvents.rejected(jobId, List.of("/dataset/format: must be one of [fashion-mnist, mnist, "
                + "cifar10, image-folder]", "/model: required"))));

        PenniCliTest.Result r = run("follow", jobId, "--timeout", "60s");

        assertEquals(1, r.status());
        assertEquals("job " + jobId + " rejected:\n  - /dataset/format: must be one of [fashion-mnist, mnist, cifar10, "
                + "image-folder]\n  - /model: required\n", r.out());
    }

    @Test
    void followOfAJobThatDoesNotEndStopsAtTheTimeoutWithOneLine() {
        String jobId = job("slow");
        commit(List.of(JobEvents.accepted(jobId), JobEvents.started(jobId, "pretrain", 1)));

        PenniCliTest.Result r = run("follow", jobId, "--timeout", "2s");

        assertEquals(1, r.status());
        assertEquals("penni: follow: job " + jobId + " did not end within 2s; it goes on: bin/penni status " + jobId
                + "\n", r.err());
        assertTrue(r.out().contains("[pretrain] started"), r.out());
    }

    @Test
    void submitPublishesTheRequestKeyedByItsJobIdAndPrintsTheId() throws Exception {
        String jobId = job("submit");
        String request = "{\"jobId\": \"" + jobId + "\", \"model\": {\"architecture\": \"vgg-small\"}}";
        Path file = dir.resolve("request.json");
        Files.writeString(file, request);

        PenniCliTest.Result r = run("submit", file.toString());

        assertEquals(0, r.status(), r.err());
        assertEquals(jobId + "\n", r.out());
        ConsumerRecord<String, byte[]> published = requestRecord(jobId);
        assertArrayEquals(request.getBytes(StandardCharsets.UTF_8), published.value(), "the bytes as written");
    }

    @Test
    void submitOfARequestWithoutAJobIdKeysItByANewUuid() throws Exception {
        Path file = dir.resolve("request.json");
        Files.writeString(file, "{\"model\": {\"architecture\": \"vgg-small\"}}");

        PenniCliTest.Result r = run("submit", file.toString());

        assertEquals(0, r.status(), r.err());
        String jobId = r.out().trim();
        assertEquals(jobId, UUID.fromString(jobId).toString());
        assertEquals(jobId, requestRecord(jobId).key());
    }

    @Test
    void submitWithFollowShowsOnlyEventsPublishedAfterTheRequest() throws Exception {
        String jobId = job("resubmit");
        // an earlier job of the same id, finished: following from the beginning would stop at its failure
        commit(List.of(JobEvents.failed(jobId, "pretrain", 1, "the earlier run")));
        Path file = dir.resolve("request.json");
        Files.writeString(file, "{\"jobId\": \"" + jobId + "\"}");
        Map<String, ArtifactRef> a = completedArtifacts(jobId);
        Thread server = new Thread(() -> {
            try {
                requestRecord(jobId);
                commit(List.of(JobEvents.accepted(jobId),
                        JobEvents.completed(jobId, 60, a)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        server.start();

        PenniCliTest.Result r = run("submit", file.toString(), "--follow", "--timeout", "60s");
        server.join();

        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith(jobId + "\n"), r.out());
        assertFalse(r.out().contains("the earlier run"), r.out());
        assertTrue(r.out().contains("job " + jobId + " completed"), r.out());
    }

    /** Waits for the request the CLI published under a key. */
    private static ConsumerRecord<String, byte[]> requestRecord(String key) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG,
                "test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.REQUESTS));
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no request keyed " + key + " on " + Topics.REQUESTS);
    }

    @Test
    void statusListsEveryJobAtItsLatestState() {
        String running = job("running");
        String done = job("done");
        commit(List.of(), state(running, JobStatus.QUEUED, "pretrain", Map.of(), "accepted", 1),
                state(done, JobStatus.COMPLETED, "evaluate", Map.of(), "completed: top-1 90.00% -> 89.50%", 2));
        commit(List.of(), state(running, JobStatus.RUNNING, "retrain", Map.of(), "retrain running", 3));

        PenniCliTest.Result r = run("status");

        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("JOB "), r.out());
        String runningRow = r.out().lines().filter(l -> l.startsWith(running)).findFirst().orElseThrow();
        assertTrue(runningRow.matches(running + " +RUNNING +retrain +2026-11-21 10:00:03Z +retrain running"), runningRow);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(done) && l.contains("COMPLETED")), r.out());
    }

    @Test
    void statusOfOneJobShowsItsCompletedStagesAndArtifacts() throws Exception {
        CompletedJob job = completedJob("detail");
        String jobId = job.jobId();
        Map<String, ArtifactRef> a = job.artifacts();

        PenniCliTest.Result r = run("status", jobId);

        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("job        " + jobId + "\nstatus     COMPLETED\nstage      evaluate\n"), r.out());
        assertTrue(r.out().contains("completed  pretrain\n"), r.out());
        ArtifactRef weights = a.get("weights");
        assertTrue(r.out().contains("  weights          " + Path.of(weights.uri()) + "  (" + weights.size()
                + " bytes, sha256 " + weights.sha256() + ")"), r.out());
    }

    @Test
    void statusWaitsForATransactionAlreadyWrittenSoAStateCommittedMomentsLaterIsShown() throws Exception {
        String jobId = job("settling");
        commit(List.of(), state(jobId, JobStatus.RUNNING, "evaluate", Map.of(), "evaluate running", 1));
        producer.beginTransaction();
        send(List.of(), state(jobId, JobStatus.COMPLETED, "evaluate", Map.of(), "completed: top-1 90.00% -> 89.50%", 2));
        producer.flush();
        CompletableFuture<PenniCliTest.Result> status = CompletableFuture.supplyAsync(() -> run("status", jobId));
        Thread.sleep(1500);
        producer.commitTransaction();

        PenniCliTest.Result r = status.get(30, TimeUnit.SECONDS);

        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("status     COMPLETED\n"), "the state written before the command started and "
                + "committed while it read is the one shown:\n" + r.out());
    }

    @Test
    void statusOfAnUnknownJobIsOneErrorLine() {
        PenniCliTest.Result r = run("status", "no-such-job");

        assertEquals(1, r.status());
        assertTrue(r.err().matches("penni: status: no job 'no-such-job' in penni.jobs \\(\\d+ jobs? known; "
                + "bin/penni status lists them\\)\n"), r.err());
    }

    @Test
    void reportPrintsTheMarkdownOfACompletedJob() throws Exception {
        String jobId = completedJob("report").jobId();

        PenniCliTest.Result r = run("report", jobId);

        assertEquals(0, r.status(), r.err());
        assertEquals("# PENNI report: job " + jobId + "\n\n| layer |\n", r.out());
    }

    @Test
    void reportWithJsonPrintsReportJson() throws Exception {
        String jobId = completedJob("json").jobId();

        PenniCliTest.Result r = run("report", jobId, "--json");

        assertEquals(0, r.status(), r.err());
        assertEquals("{\"jobId\": \"" + jobId + "\"}\n", r.out());
    }

    @Test
    void reportFindsTheReportInTheCompletionEventWhenTheJobTableHasNone() throws Exception {
        String jobId = job("event-only");
        Map<String, ArtifactRef> a = completedArtifacts(jobId);
        commit(List.of(JobEvents.completed(jobId, 60, a)));

        PenniCliTest.Result r = run("report", jobId);

        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("# PENNI report: job " + jobId), r.out());
    }

    @Test
    void reportOfAFileChangedAfterTheJobRefusesWithOneLine() throws Exception {
        CompletedJob job = completedJob("changed");
        String jobId = job.jobId();
        Map<String, ArtifactRef> a = job.artifacts();
        Path file = Path.of(a.get("report.md").uri());
        Files.writeString(file, "# a different report\n");

        PenniCliTest.Result r = run("report", jobId);

        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("penni: " + file + " (report.md of job " + jobId + ") does not match its SHA-256: "
                + "the job recorded " + a.get("report.md").sha256() + ", the file has "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void reportOfARunningJobSaysItHasNoReportYet() {
        String jobId = job("unfinished");
        commit(List.of(), state(jobId, JobStatus.RUNNING, "retrain", Map.of(), "retrain running", 3));

        PenniCliTest.Result r = run("report", jobId);

        assertEquals(1, r.status());
        assertEquals("penni: report: job " + jobId + " has no report: it is running (stage retrain); bin/penni follow "
                + jobId + " waits for it\n", r.err());
    }

    @Test
    void fetchCopiesTheModelItsOnnxFileReportsAndCurvesCheckingEachFile() throws Exception {
        CompletedJob job = completedJob("fetch");
        String jobId = job.jobId();
        Map<String, ArtifactRef> a = job.artifacts();
        Path out = dir.resolve("fetched");

        PenniCliTest.Result r = run("fetch", jobId, out.toString());

        assertEquals(0, r.status(), r.err());
        for (String name : List.of("model.json", "model.safetensors", "model.onnx", "report.json", "report.md",
                "learning-curves.csv")) {
            assertTrue(r.out().contains("wrote " + out.resolve(name) + " ("), r.out());
        }
        assertEquals(6, r.out().lines().count(), r.out());
        assertEquals("onnx of " + jobId, Files.readString(out.resolve("model.onnx")));
        assertEquals("weights of " + jobId, Files.readString(out.resolve("model.safetensors")));
        assertEquals(Files.readString(Path.of(a.get("model").uri())), Files.readString(out.resolve("model.json")));
    }

    @Test
    void exportWritesACompletedJobsCompressedModelAsOnnx() throws Exception {
        String jobId = job("export");
        Model model = SyntheticCompression.decompose(Architectures.create("vgg-small", 3), 5, 3);
        Map<String, ArtifactRef> a = new LinkedHashMap<>(completedArtifacts(jobId));
        // the real model over the stand-in files
        Path graph = Path.of(a.get("model").uri());
        ModelFiles.save(model, graph);
        a.put("model", stored(graph));
        a.put("weights", stored(ModelFiles.weightsOf(graph)));
        commit(List.of(), state(jobId, JobStatus.COMPLETED, "evaluate", a, "completed", 9));
        Path out = dir.resolve("export-dense.onnx");

        PenniCliTest.Result r = run("export", jobId, "--form", "dense", "--out", out.toString());

        assertEquals(0, r.status(), r.err());
        assertArrayEquals(OnnxExport.toBytes(model, ExportForm.DENSE), Files.readAllBytes(out));
        assertTrue(r.out().startsWith("wrote " + out + " ("), r.out());
    }

    @Test
    void fetchOfAFailedJobIsOneErrorLine() {
        String jobId = job("fetch-failed");
        commit(List.of(), state(jobId, JobStatus.FAILED, "retrain", Map.of(), "retrain failed: out of memory", 3));

        PenniCliTest.Result r = run("fetch", jobId, dir.resolve("x").toString());

        assertEquals(1, r.status());
        assertEquals("penni: fetch: job " + jobId + " is failed, not completed; retrain failed: out of memory\n",
                r.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void aPortWithNoBrokerIsOneLineSayingWhatToDo() throws Exception {
        String nowhere = "127.0.0.1:" + KafkaBroker.freePort();

        PenniCliTest.Result r = PenniCliTest.run("status", "--bootstrap", nowhere);

        assertEquals(1, r.status());
        assertEquals("penni: no Kafka at " + nowhere + " (from --bootstrap); start the server with bin/penni server "
                + "or pass --bootstrap\n", r.err());
    }
}
