package io.penni.serving.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.model.ModelDeployment;

/**
 * The model repository: a folder {@code ROOT/NAME/VERSION/} of {@value #GRAPH} with its weights beside it, VERSION a
 * positive integer. Each {@link #scan()} serves the newest version of every model: a new version is loaded while
 * the old one serves, swapped in atomically, and the old one closed once its queued requests ran, so no request
 * fails in between; so are the newest version's files replaced in place. A version that does not load is not served
 * (the previous stays) and is tried again when its files change. A model whose folder or versions are gone stops
 * being served. A version folder's optional {@code deployment.json} ({@link ModelDeployment}) names the backend that runs it and its own
 * batching; the listener hears of every version that starts or stops serving.
 */
final class ModelRepository implements AutoCloseable {

    /** A version folder's graph file; its weights are {@code model.safetensors} beside it. */
    static final String GRAPH = "model.json";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    private static final long DRAIN_MILLIS = 30_000;

    /** Hears of versions that start or stop serving. */
    interface Listener {
        /**
         * A version serves from now on.
         *
         * @param model the model's name
         * @param version the version
         */
        void deployed(String model, ModelVersion version);

        /**
         * A version stopped serving.
         *
         * @param model the model's name
         * @param version the version
         * @param reason why: replaced by another version, removed from the repository, or the server stopping
         */
        void undeployed(String model, ModelVersion version, String reason);
    }

    private final Path root;
    private final String backend;
    private final BiFunction<String, Path, LoadOutcome> loader;
    private final Listener listener;
    private volatile BatchSettings settings;
    // a change of the batch settings makes every served version's stamp stale, so the next scan reloads it
    private volatile int generation;
    private final ServingMetrics metrics;
    private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
    private final Map<String, AutoCloseable> gauges = new ConcurrentHashMap<>();
    // per model: the version folder and file stamps that failed to load, so they are not retried unchanged
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private volatile boolean scanned;

    /**
     * A repository; nothing is read before the first {@link #scan()}.
     *
     * @param root the folder of models
     * @param backend the name of the backend that runs a version whose deployment names none
     * @param loader loads a model file with the named backend, or says why it cannot
     * @param settings each version's batching, unless its deployment says otherwise
     * @param metrics where the meters go
     * @param listener hears of versions that start or stop serving
     */
    ModelRepository(Path root, String backend, BiFunction<String, Path, LoadOutcome> loader, BatchSettings settings,
            ServingMetrics metrics, Listener listener) {
        this.root = root;
        this.backend = backend;
        this.loader = loader;
        this.listener = listener;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** @return the folder of models */
    Path root() {
        return root;
    }

    /**
     * A model by name.
     *
     * @param name the model's folder name
     * @return the model, if the repository has it
     */
    Optional<ServedModel> model(String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** @return the models, by name */
    List<ServedModel> models() {
        return models.values().stream().sorted(Comparator.comparing(ServedModel::name)).toList();
    }

    /** @return whether the repository has been read once and every model in it has a version serving */
    boolean ready() {
        return scanned && models.values().stream().allMatch(m -> m.current().isPresent());
    }

    /**
     * Batches with other settings from now on: the next scan loads every served version again with them and swaps
     * it in like a new version, so no request fails.
     *
     * @param next the settings
     */
    synchronized void settings(BatchSettings next) {
        if (!next.equals(settings)) {
            settings = next;
            generation++;
        }
    }

    /**
     * Loads every version again at the next scan, and tries again those that failed: the backends that can run
     * them changed.
     */
    synchronized void backendsChanged() {
        generation++;
    }

    /** Reads the folder and brings what is served up to date with it. Called from one thread at a time. */
    synchronized void scan() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        for (Path folder : list(root)) {
            String name = folder.getFileName().toString();
            if (!NAME.matcher(name).matches() || !Files.isDirectory(folder)) {
                continue;
            }
            seen.add(name);
            scanModel(name, folder);
        }
        for (String name : List.copyOf(models.keySet())) {
            if (!seen.contains(name)) {
                remove(name);
            }
        }
        scanned = true;
    }

    private void scanModel(String name, Path folder) {
        List<String> versions = list(folder).stream().map(p -> p.getFileName().toString())
                .filter(v -> VERSION.matcher(v).matches() && Files.isRegularFile(folder.resolve(v).resolve(GRAPH)))
                .sorted(Comparator.comparingLong((String v) -> Long.parseLong(v)).reversed()).toList();
        if (versions.isEmpty()) {
            remove(name);
            return;
        }
        ServedModel model = models.computeIfAbsent(name, n -> {
            ServedModel m = new ServedModel(n);
            gauges.put(n, metrics.queueDepth(n, () -> m.current().map(v -> v.batcher().queueDepth()).orElse(0)));
            return m;
        });
        String newest = versions.get(0);
        String stamp = newest + "|" + generation + "|" + stamp(folder.resolve(newest));
        // the newest version's files replaced in place count as a new version
        boolean serving = model.current().map(v -> v.stamp().equals(stamp)).orElse(false);
        if (!serving && !stamp.equals(failed.get(name))) {
            load(model, newest, stamp, folder.resolve(newest)).ifPresentOrElse(reason -> {
                failed.put(name, stamp);
                failures.put(name, newest + ": " + reason);
                LOG.warn("model {} version {} is not served: {}", name, newest, reason);
            }, () -> {
                failed.remove(name);
                failures.remove(name);
            });
        }
        String current = model.current().map(ModelVersion::version).orElse("");
        List<ServedModel.VersionState> states = new ArrayList<>();
        for (String v : versions) {
            String failure = failures.getOrDefault(name, "");
            if (v.equals(current)) {
                states.add(new ServedModel.VersionState(v, "READY", ""));
            } else if (failure.startsWith(v + ": ")) {
                states.add(new ServedModel.VersionState(v, "FAILED", failure.substring(v.length() + 2)));
            } else {
                states.add(new ServedModel.VersionState(v, "UNAVAILABLE", current.isEmpty() ? "not loaded"
                        : "superseded by version " + current));
            }
        }
        model.versions(states);
    }

    /** Loads a version and swaps it in; the reason when it cannot. */
    private Optional<String> load(ServedModel model, String version, String stamp, Path folder) {
        LoadOutcome outcome;
        ModelDeployment deployment;
        String runner;
        try {
            deployment = ModelDeployment.read(folder);
            runner = deployment.backend().orElse(backend);
            outcome = loader.apply(runner, folder.resolve(GRAPH));
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
        if (outcome instanceof LoadOutcome.Unsupported unsupported) {
            return Optional.of(unsupported.reason());
        }
        LoadedModel loaded = ((LoadOutcome.Loaded) outcome).model();
        DynamicBatcher batcher;
        ModelSignature signature;
        try {
            signature = ModelSignature.of(loaded.inputShape(), loaded.outputSize());
            batcher = new DynamicBatcher(model.name() + "-" + version, signature.imageSize(), signature.classes(),
                    loaded::run, loaded::close, metrics.batches(model.name(), runner), settings.with(deployment));
        } catch (RuntimeException | LinkageError e) {
            loaded.close();
            return Optional.of("cannot serve it: " + e);
        }
        ModelVersion next = new ModelVersion(version, stamp, runner, signature, batcher);
        model.swap(next).ifPresent(old -> retire(model.name(), old, old.version().equals(version)
                ? "loaded again (its files or the batch settings changed)" : "replaced by version " + version));
        LOG.info("model {} version {} is served by the {} backend", model.name(), version, runner);
        listener.deployed(model.name(), next);
        return Optional.empty();
    }

    private void retire(String model, ModelVersion old, String reason) {
        old.batcher().close();
        listener.undeployed(model, old, reason);
    }

    private void remove(String name) {
        ServedModel model = models.remove(name);
        if (model != null) {
            model.swap(null).ifPresent(old -> retire(name, old, "removed from the repository"));
            closeQuietly(gauges.remove(name));
            failed.remove(name);
            failures.remove(name);
            LOG.info("model {} is no longer served", name);
        }
    }

    /** Stops serving: queued requests still run, then every model is closed. */
    @Override
    public synchronized void close() {
        List<DynamicBatcher> closing = new ArrayList<>();
        for (ServedModel model : models.values()) {
            model.swap(null).ifPresent(v -> {
                closing.add(v.batcher());
                listener.undeployed(model.name(), v, "the server is stopping");
            });
        }
        closing.forEach(DynamicBatcher::close);
        for (DynamicBatcher batcher : closing) {
            try {
                batcher.awaitDrained(DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        gauges.values().forEach(ModelRepository::closeQuietly);
        gauges.clear();
        models.clear();
    }

    private static String stamp(Path folder) {
        StringBuilder s = new StringBuilder();
        for (Path file : list(folder)) {
            try {
                s.append(file.getFileName()).append(':').append(Files.size(file)).append(':')
                        .append(Files.getLastModifiedTime(file).toMillis()).append(';');
            } catch (IOException e) {
                s.append(file.getFileName()).append(":gone;");
            }
        }
        return s.toString();
    }

    private static List<Path> list(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            LOG.warn("cannot read the model repository folder {}: {}", folder, e.getMessage());
            return List.of();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("closing a meter failed", e);
            }
        }
    }
}
