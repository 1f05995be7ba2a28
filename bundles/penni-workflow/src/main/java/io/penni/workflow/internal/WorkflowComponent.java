package io.penni.workflow.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.event.EventPublisher;
import io.penni.api.health.ReadinessCheck;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.intake.JobSubmissions;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageNames;
import io.penni.model.Architectures;
import io.penni.pipeline.AdmissionBudget;
import io.penni.pipeline.RequestEnvironment;
import io.penni.pipeline.ServiceNames;
import io.penni.pipeline.StageRunner;
import io.penni.workflow.Topics;

/**
 * The Kafka side of the server: creates the topics, runs the request intake and the stage worker, and keeps the
 * worker's subscriptions in step with the stage services present in this container, so a container without a
 * stage never takes that stage's work. Configured by {@code penni.kafka} (connection, topics; shared with the
 * launcher) and {@code penni.workflow} (this container's id and concurrency).
 */
@Component(immediate = true, configurationPid = {"penni.kafka", "penni.workflow"},
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class WorkflowComponent {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowComponent.class);
    /** Keys of penni.kafka that configure PENNI rather than Kafka clients. */
    private static final Set<String> OWN_KEYS = Set.of("bootstrap.servers", "embedded.host", "embedded.port",
            "embedded.controller.port", "embedded.data", "topic.partitions", "topic.replication.factor",
            "container.id", "training.concurrency", "stage.concurrency", "stage.attempts", "stage.retry.backoff.ms",
            "admission.max.memory.gb", "admission.max.hours", "admission.training.gmacs.per.second", "progress.interval.ms",
            "strategy.swap.grace.ms");

    /** This container's workflow settings (PID penni.workflow). */
    @ObjectClassDefinition(pid = "penni.workflow", name = "PENNI workflow",
            description = "How this container takes part in the Kafka workflow.")
    public @interface Config {
        /** @return the container's id */
        @AttributeDefinition(name = "Container id", description = "Unique and stable per container: it names the "
                + "consumer group members and transactional producers, so a restarted container takes its place back. "
                + "Empty: derived from the host name and the base folder.")
        String container_id() default "";

        /** @return training stages at once */
        @AttributeDefinition(name = "Training concurrency", description = "Training stages (pretrain, retrain, "
                + "finetune) this container runs at once; more wait, visibly queued. 1 suits a small machine.")
        int training_concurrency() default 1;

        /** @return other stages at once */
        @AttributeDefinition(name = "Stage concurrency", description = "Other stages this container runs at once.")
        int stage_concurrency() default 2;

        /** @return tries per stage */
        @AttributeDefinition(name = "Attempts", description = "Times a stage that fails with a passing error is tried.")
        int stage_attempts() default 3;

        /** @return the first retry's back-off */
        @AttributeDefinition(name = "Retry back-off (ms)", description = "How long a stage that failed with a passing "
                + "error waits before it runs again; each further attempt waits twice as long. Default 1000.")
        long stage_retry_backoff_ms() default 1000;

        /** @return progress interval */
        @AttributeDefinition(name = "Progress interval (ms)", description = "At most one progress event per running "
                + "stage per this many milliseconds (epoch ends are always published).")
        long progress_interval_ms() default 1000;

        /** @return how long a strategy that went away counts as being swapped */
        @AttributeDefinition(name = "Strategy swap grace (ms)", description = "A request naming a pruning strategy "
                + "that was unregistered less than this long ago waits for it to come back (a bundle update "
                + "unregisters and re-registers it) before it is rejected. Default 5000.")
        long strategy_swap_grace_ms() default 5000;

        /** @return the memory cap of one job */
        @AttributeDefinition(name = "Admission: memory (GiB)", description = "A request whose estimated peak memory "
                + "(parameters 4 times, activations at its largest batch) is over this is rejected at once, with the "
                + "estimate. 0: no cap. Default 8, the default off-heap cap (penni.offheap.max).")
        double admission_max_memory_gb() default 8;

        /** @return the time cap of one job */
        @AttributeDefinition(name = "Admission: hours", description = "A request whose estimated training time "
                + "(3 x MACs per image x images x epochs, at the speed below) is over this is rejected at once, with "
                + "the estimate. 0: no cap. Default 168 (a week).")
        double admission_max_hours() default 168;

        /** @return the trainer's speed */
        @AttributeDefinition(name = "Admission: trainer speed (G MAC/s)", description = "Multiply-accumulates a "
                + "second this container's trainer does, forward and backward, to turn a job's work into hours. "
                + "Default 15: vgg-small pretraining measured at 150-270 images/s on 2 cores (29.3 M MACs each).")
        double admission_training_gmacs_per_second() default 15;

        /** @return partitions */
        @AttributeDefinition(name = "Topic partitions", description = "Partitions of the topics created at start-up.")
        int topic_partitions() default 4;

        /** @return replication */
        @AttributeDefinition(name = "Replication factor", description = "Replication factor of the topics created at start-up.")
        short topic_replication_factor() default 1;
    }

    private final Map<String, StageBinding> stages = new ConcurrentHashMap<>();
    // created before activation: DS binds the strategies before it calls activate
    private final RegisteredStrategies strategies = new RegisteredStrategies(5000);
    private final ServiceNames backends = new ServiceNames(InferenceBackend.NAME);
    private final WorkflowMetrics metrics = new WorkflowMetrics();

    // greedy: the highest-ranked store wins, and a better one appearing (the S3 store, once its configuration
    // arrives) restarts this component on it, so every stage of the container uses the same one
    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    private ArtifactStore store;

    private volatile StageWorker worker;
    private RequestIntake intake;
    private KafkaProducer<String, byte[]> progressProducer;
    private ServiceRegistration<MeterBinder> meters;
    private Thread intakeThread;
    private Thread workerThread;
    private Thread jobTableThread;
    private LoopSupervisor jobTableSupervisor;
    private LoopSupervisor intakeSupervisor;
    private LoopSupervisor workerSupervisor;
    private ServiceRegistration<ReadinessCheck> readiness;
    private ServiceRegistration<EventPublisher> publisher;
    private SubmissionDesk desk;
    private ServiceRegistration<JobSubmissions> submissions;

    @Activate
    void activate(Config config, Map<String, Object> properties, BundleContext context) {
        strategies.grace(config.strategy_swap_grace_ms());
        String containerId = config.container_id().isBlank() ? defaultContainerId(context) : config.container_id();
        Map<String, Object> client = new HashMap<>();
        properties.forEach((k, v) -> {
            if (!OWN_KEYS.contains(k) && !k.startsWith("service.") && !k.startsWith("component.")
                    && !k.startsWith("felix.") && k.contains(".") && v instanceof String) {
                client.put(k, v);
            }
        });
        Object bootstrap = properties.get("bootstrap.servers");
        client.put("bootstrap.servers", bootstrap instanceof String s && !s.isBlank() ? s
                : Optional.ofNullable(context.getProperty("penni.kafka.bootstrap.servers")).orElse("127.0.0.1:9092"));
        KafkaClients clients = new KafkaClients(client);
        try (Admin admin = clients.admin()) {
            TopicSetup.ensure(admin, Topics.all(), config.topic_partitions(), config.topic_replication_factor());
        }
        meters = context.registerService(MeterBinder.class, metrics, null);
        JobEvents events = new JobEvents(containerId);
        progressProducer = clients.producer();
        StageRunner stageRunner = new StageRunner(store, () -> Optional.of(modelRoot(context)));
        StageTaskRunner runner = new StageTaskRunner(stageRunner, events, progressProducer, metrics, config.progress_interval_ms(), new JobDeployer(
                Path.of(Optional.ofNullable(context.getProperty("penni.var.dir")).orElse("var")).resolve("models")));
        worker = new StageWorker(clients, containerId, runner, config.training_concurrency(),
                config.stage_concurrency(), config.stage_attempts(), config.stage_retry_backoff_ms());
        stages.values().forEach(worker::bind);
        AdmissionBudget admission = new AdmissionBudget((long) (config.admission_max_memory_gb() * (1L << 30)),
                config.admission_max_hours(), config.admission_training_gmacs_per_second() * 1e9);
        RequestJudge judge = new RequestJudge(() -> environment(context, admission), strategies);
        intake = new RequestIntake(clients, containerId, events, judge,
                jobId -> stageRunner.recorded(jobId, StageNames.ALL.get(0)).isPresent(), metrics);
        desk = new SubmissionDesk(clients, containerId, events, judge, metrics);
        intakeSupervisor = new LoopSupervisor("request intake", intake, intake::stop, metrics::loopRestarted, 1000,
                30_000);
        StageWorker w = worker;
        workerSupervisor = new LoopSupervisor("stage worker", w, w::stop, metrics::loopRestarted, 1000, 30_000);
        JobTableWatch jobTable = new JobTableWatch(clients, metrics);
        jobTableSupervisor = new LoopSupervisor("job table watch", jobTable, jobTable::stop, metrics::loopRestarted,
                1000, 30_000);
        jobTableThread = start(jobTableSupervisor, "penni-job-table");
        intakeThread = start(intakeSupervisor, "penni-intake");
        workerThread = start(workerSupervisor, "penni-stage-worker");
        KafkaProducer<String, byte[]> eventProducer = progressProducer;
        publisher = context.registerService(EventPublisher.class, (type, subject, data) ->
                eventProducer.send(events.event(type, subject, Optional.empty(), data), (metadata, error) -> {
                    if (error != null) {
                        LOG.warn("the {} event about {} was not published: {}", type.type(), subject,
                                error.getMessage());
                    }
                }), null);
        readiness = context.registerService(ReadinessCheck.class, this::notReady,
                new Hashtable<>(Map.of(ReadinessCheck.NAME, "workflow")));
        submissions = context.registerService(JobSubmissions.class, desk, null);
        LOG.info("workflow running as container {} on {}; stages here: {}", containerId, client.get("bootstrap.servers"),
                stages.keySet());
    }

    @Deactivate
    void deactivate() {
        submissions.unregister();
        desk.close();
        readiness.unregister();
        publisher.unregister();
        intakeSupervisor.stop();
        workerSupervisor.stop();
        jobTableSupervisor.stop();
        join(intakeThread);
        join(workerThread);
        join(jobTableThread);
        progressProducer.close();
        meters.unregister();
        metrics.close();
    }

    @Reference(service = CompressionStage.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStage(CompressionStage stage, Map<String, Object> properties) {
        Object name = properties.get(CompressionStage.STAGE);
        if (name instanceof String n) {
            StageBinding binding = new StageBinding(n, stage, Boolean.TRUE.equals(properties.get(CompressionStage.TRAINING)));
            stages.put(n, binding);
            StageWorker w = worker;
            if (w != null) {
                w.bind(binding);
            }
        }
    }

    void removeStage(CompressionStage stage, Map<String, Object> properties) {
        Object name = properties.get(CompressionStage.STAGE);
        if (name instanceof String n && stages.get(n) != null && stages.get(n).stage() == stage) {
            stages.remove(n);
            StageWorker w = worker;
            if (w != null) {
                w.unbind(n);
            }
        }
    }

    @Reference(service = PruningStrategy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStrategy(PruningStrategy strategy, Map<String, Object> properties) {
        if (properties.get(PruningStrategy.NAME) instanceof String n) {
            strategies.added(n, strategy);
        }
    }

    void removeStrategy(PruningStrategy strategy, Map<String, Object> properties) {
        if (properties.get(PruningStrategy.NAME) instanceof String n) {
            strategies.removed(n, strategy);
        }
    }

    @Reference(service = InferenceBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(Map<String, Object> properties) {
        backends.added(properties);
    }

    void removeBackend(Map<String, Object> properties) {
        backends.removed(properties);
    }

    /** @return why the workflow cannot take requests or run stages now: a consumer loop is down */
    private Optional<String> notReady() {
        List<String> reasons = new ArrayList<>();
        intakeSupervisor.notReady().ifPresent(reasons::add);
        workerSupervisor.notReady().ifPresent(reasons::add);
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    private RequestEnvironment environment(BundleContext context, AdmissionBudget admission) {
        Path data = Path.of(Optional.ofNullable(context.getProperty("penni.data.root")).orElse("/usr/share/datasets"));
        return new RequestEnvironment(data, modelRoot(context), Set.copyOf(Architectures.names()), strategies.names(),
                backends.now(), admission).withRecipes(recipesFolder(context));
    }

    private static Path modelRoot(BundleContext context) {
        return Path.of(Optional.ofNullable(context.getProperty("penni.model.root")).orElse("models"));
    }

    /** The budget recipes: {@code penni.recipes.dir}, else {@code recipes/} in the configuration folder. */
    static Path recipesFolder(BundleContext context) {
        return Optional.ofNullable(context.getProperty("penni.recipes.dir")).map(Path::of).orElseGet(() -> Path.of(
                Optional.ofNullable(context.getProperty("penni.config.dir")).orElse("runtime-config"), "recipes"));
    }

    private static String defaultContainerId(BundleContext context) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String base = Optional.ofNullable(context.getProperty("penni.base.dir")).orElse("");
        return (host + "-" + Integer.toHexString(base.hashCode())).replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static Thread start(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(Thread thread) {
        try {
            thread.join(90_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
