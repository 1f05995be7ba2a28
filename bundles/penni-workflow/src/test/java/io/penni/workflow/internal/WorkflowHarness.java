package io.penni.workflow.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.event.JobEvent;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageNames;
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.launcher.LauncherBroker;
import io.penni.pipeline.StageRunner;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.StageTask;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * The stage worker against a real KRaft broker (the launcher's embedded one, in this JVM, on free ports): real
 * consumer groups, rebalances and transactions, one broker per test. Workers run the real {@link StageWorker} and
 * {@link StageTaskRunner} over a real artifact store; tests give them scripted stages and read what they published
 * with read-committed consumers, as the CLI and the job table do.
 */
final class WorkflowHarness implements AutoCloseable {

    /** A request every stage can read: the schema's required fields, defaults for the rest. */
    static final String REQUEST = "{\"model\":{\"architecture\":\"vgg-small\"},"
            + "\"dataset\":{\"format\":\"fashion-mnist\",\"path\":\"fashion-mnist\"}}";

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final AutoCloseable broker;
    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;
    private final List<Worker> workers = new ArrayList<>();
    private final List<RequestIntake> intakes = new ArrayList<>();
    private boolean closed;
    private final List<Thread> intakeThreads = new ArrayList<>();
    final ArtifactStore store;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final WorkflowMetrics metrics = new WorkflowMetrics();

    /** The model repository jobs that ask to be deployed are deployed into. */
    final Path models;

    /** A running worker: its thread and the stage runner's progress producer. */
    record Worker(StageWorker worker, Thread thread, KafkaProducer<String, byte[]> progress) {
    }

    WorkflowHarness(Path folder) throws IOException {
        int port = freePort();
        this.broker = LauncherBroker.start(folder.resolve("kafka"), port, freePort());
        this.bootstrap = "127.0.0.1:" + port;
        this.store = new FileSystemArtifactStore(folder.resolve("artifacts"));
        this.models = folder.resolve("models");
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        metrics.bindTo(meters);
    }

    /** Creates the workflow's topics and the given stages' topics, each with the given partitions. */
    void topics(int partitions, String... stages) {
        List<String> topics = new ArrayList<>(Topics.all());
        for (String stage : stages) {
            topics.add(Topics.stage(stage));
        }
        try (Admin admin = clients().admin()) {
            TopicSetup.ensure(admin, topics, partitions, (short) 1);
        }
    }

    /** Starts a worker serving the given stages, as container {@code containerId}. */
    StageWorker start(String containerId, int maxAttempts, Map<String, CompressionStage> stages) {
        return start(containerId, maxAttempts, stages, store);
    }

    /** Starts a worker serving the given stages over the given artifact store. */
    StageWorker start(String containerId, int maxAttempts, Map<String, CompressionStage> stages,
            ArtifactStore artifacts) {
        KafkaProducer<String, byte[]> progress = clients().producer();
        StageTaskRunner runner = new StageTaskRunner(new StageRunner(artifacts), new JobEvents(containerId), progress, metrics, 0,
                new JobDeployer(models));
        StageWorker worker = new StageWorker(clients(), containerId, runner, 1, 2, maxAttempts, 10);
        stages.forEach((name, stage) -> worker.bind(new StageBinding(name, stage, false)));
        Thread thread = new Thread(worker, "test-worker-" + containerId);
        thread.setDaemon(true);
        thread.start();
        workers.add(new Worker(worker, thread, progress));
        return worker;
    }

    /** Starts a request intake checking requests against what the supplier says is installed. */
    void startIntake(java.util.function.Supplier<io.penni.pipeline.RequestEnvironment> environment) {
        StageRunner records = new StageRunner(store);
        RequestIntake intake = new RequestIntake(clients(), "intake", new JobEvents("intake"),
                new RequestJudge(environment, new RegisteredStrategies(0)),
                jobId -> records.recorded(jobId, StageNames.ALL.get(0)).isPresent(), metrics);
        Thread thread = new Thread(intake, "test-intake");
        thread.setDaemon(true);
        thread.start();
        intakes.add(intake);
        intakeThreads.add(thread);
    }

    /** A submission desk (the HTTP API's way in) checking requests against what the supplier says is installed. */
    SubmissionDesk desk(java.util.function.Supplier<io.penni.pipeline.RequestEnvironment> environment) {
        return new SubmissionDesk(clients(), "desk", new JobEvents("desk"),
                new RequestJudge(environment, new RegisteredStrategies(0)), metrics);
    }

    /** Publishes a request as a user does, keyed by the job id. */
    void request(String jobId, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.REQUESTS, jobId, value)).get();
    }

    /** A stage task for a job, at the start of the given plan. */
    static byte[] task(String jobId, List<String> plan) {
        return task(jobId, plan, "penni.requests/0/0");
    }

    /** A stage task for a job, at the start of the given plan, from the given submission. */
    static byte[] task(String jobId, List<String> plan, String submission) {
        return task(jobId, plan, submission, REQUEST);
    }

    /** A stage task for a job's request, at the start of the given plan, from the given submission. */
    static byte[] task(String jobId, List<String> plan, String submission, String requestJson) {
        try {
            JsonNode request = new ObjectMapper().readTree(requestJson);
            return WorkflowJson.write(new StageTask(jobId, request, plan, 0, Map.of(), submission));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes a message on a stage's topic, to one partition. */
    void publish(String stage, int partition, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.stage(stage), partition, key, value)).get();
    }

    /**
     * Reads a topic from its start, read-committed, until {@code done} holds for what was read (or a minute passed).
     *
     * @return every record read
     */
    List<ConsumerRecord<String, byte[]>> read(String topic, Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(all) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    /**
     * Reads every committed record of a topic, up to its end as it is now.
     *
     * @return the records, partition by partition
     */
    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    /** Reads the events topic until {@code done} holds for the events of {@code jobId}. */
    List<JobEvent> events(String jobId, Predicate<List<JobEvent>> done) {
        List<JobEvent> events = new ArrayList<>();
        read(Topics.EVENTS, records -> {
            events.clear();
            records.forEach(r -> CloudEvents.read(r.headers(), r.value()).filter(e -> e.jobId().equals(jobId))
                    .ifPresent(events::add));
            return done.test(events);
        });
        return events;
    }

    /** @return how many of the events are of the given type ({@code io.penni.job.failed}...) */
    static long count(List<JobEvent> events, String type) {
        return events.stream().filter(e -> e.type().type().equals(type)).count();
    }

    /** @return a header's value as text, if the record has it */
    static Optional<String> header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** @return the value a counter of the workflow's metrics reached, 0 when it never counted */
    double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private KafkaClients clients() {
        return new KafkaClients(Map.of("bootstrap.servers", bootstrap));
    }

    /** Stops one worker and waits for its thread. */
    void stop(StageWorker worker) throws InterruptedException {
        for (Worker w : workers) {
            if (w.worker() == worker) {
                w.worker().stop();
                w.thread().join(90_000);
                w.progress().close();
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        intakes.forEach(RequestIntake::stop);
        for (Thread t : intakeThreads) {
            t.join(30_000);
        }
        for (Worker w : workers) {
            w.worker().stop();
        }
        for (Worker w : workers) {
            w.thread().join(90_000);
            w.progress().close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(5));
        broker.close();
    }

    private static int freePort() throws IOException {
        // the kernel may hand the same ephemeral port out again once its socket is closed: a broker given it for
        // both listeners does not start, so a port is never handed out twice in this JVM
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
