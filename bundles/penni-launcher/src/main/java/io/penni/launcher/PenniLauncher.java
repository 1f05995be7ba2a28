package io.penni.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.Constants;

import sun.misc.Signal;

/**
 * Starts PENNI Server: checks the configuration, starts the embedded Kafka broker unless an external cluster
 * is configured, boots Felix with the features, waits until Kafka and /metrics answer, prints where
 * everything is, and on SIGTERM or Ctrl-C stops it all and exits 0.
 */
public final class PenniLauncher {

    /**
     * The system packages the launcher's class path exports into the framework. {@code jdk.incubator.vector}
     * is the Vector API the CPU inference engine uses when the JVM runs with
     * {@code --add-modules jdk.incubator.vector} (bin/penni and the image do); without that flag its classes
     * are missing and the engine, which checks for the module first, uses plain loops.
     */
    static final String SYSTEM_PACKAGES_EXTRA = String.join(",",
            "org.slf4j;version=2.0.17", "org.slf4j.event;version=2.0.17", "org.slf4j.helpers;version=2.0.17",
            "org.slf4j.spi;version=2.0.17", "org.slf4j;version=1.7.36", "org.slf4j.helpers;version=1.7.36",
            "org.slf4j.spi;version=1.7.36", "com.sun.management", "sun.misc", "jdk.incubator.vector");

    /** The file in var/ that says where a running server is, for the CLI. */
    static final String SERVER_FILE = "server.json";

    private final PrintStream out;

    private PenniLauncher(PrintStream out) {
        this.out = out;
    }

    /**
     * Entry point.
     *
     * @param args {@code server [options]}
     */
    public static void main(String[] args) {
        int status;
        try {
            PenniLauncher launcher = new PenniLauncher(System.out);
            status = args.length > 0 && args[0].equals("compress")
                    ? launcher.compress(CompressOptions.parse(List.of(args).subList(1, args.length)))
                    : launcher.server(LaunchOptions.parse(List.of(args)));
        } catch (LaunchException e) {
            System.err.println("penni: " + e.getMessage());
            status = e.exitCode();
        }
        System.exit(status);
    }

    private int server(LaunchOptions options) {
        long started = System.nanoTime();
        Settings settings = Settings.load(options.base(), options.dist(), System.getenv());
        prepareFolders(settings);
        configureProcess(settings);

        Probes.requireFreePort(settings.http().host(), settings.http().port(),
                "HTTP for /metrics, " + settings.http().source());
        Settings.KafkaSettings kafka = settings.kafka();
        EmbeddedKafka broker = null;
        if (kafka.external().isPresent()) {
            Probes.requireKafka(kafka.bootstrapServers(), kafka.clientProperties(), Duration.ofSeconds(15),
                    kafka.externalSource());
        } else {
            Probes.requireFreePort(kafka.host(), kafka.port(), "embedded Kafka, " + kafka.source() + ": embedded.port");
            Probes.requireFreePort(kafka.host(), kafka.controllerPort(),
                    "embedded Kafka's controller, " + kafka.source() + ": embedded.controller.port");
            broker = EmbeddedKafka.start(kafka);
        }

        Shutdown shutdown = new Shutdown(broker, settings.varDir().resolve(SERVER_FILE));
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::run, "penni-shutdown"));
        Signal.handle(new Signal("TERM"), s -> shutdown.requested.countDown());
        Signal.handle(new Signal("INT"), s -> shutdown.requested.countDown());

        List<Path> extra = options.addBundles().stream().flatMap(p -> jarsIn(p).stream()).toList();
        Container container = Container.start(settings, frameworkProperties(settings, options), extra);
        shutdown.container = container;
        Thread watcher = new Thread(() -> {
            try {
                container.awaitStop(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shutdown.requested.countDown();
        }, "penni-framework-watcher");
        watcher.setDaemon(true);
        watcher.start();

        try {
            Probes.requireKafka(kafka.bootstrapServers(), kafka.clientProperties(), Duration.ofSeconds(60),
                    kafka.external().isPresent() ? kafka.externalSource() : "the embedded broker");
            Probes.requireHttp(settings.http().metricsUrl(), Duration.ofSeconds(60));
        } catch (LaunchException e) {
            shutdown.run();
            throw e;
        }
        String metricsUrl = settings.http().metricsUrl();
        String ready = Probes.awaitReadiness(metricsUrl.substring(0, metricsUrl.length() - "/metrics".length())
                + "/health/ready", Duration.ofSeconds(30));
        double seconds = (System.nanoTime() - started) / 1e9;
        printReady(settings, container, ready, seconds);
        writeServerFile(settings, seconds);

        try {
            shutdown.requested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("PENNI Server stopping...");
        shutdown.run();
        out.println("PENNI Server stopped.");
        return 0;
    }

    /** Framework property naming the request of a local run (read by penni-local's component). */
    static final String LOCAL_REQUEST = "penni.local.request";
    /** Framework property naming the output folder of a local run. */
    static final String LOCAL_OUT = "penni.local.out";
    /** System property the local run sets to its exit status before it stops the framework. */
    static final String LOCAL_STATUS = "penni.local.status";
    /** System property the local run sets when every stage service is there and the job begins. */
    static final String LOCAL_STARTED = "penni.local.started";

    /**
     * {@code compress REQUEST.json --local --out DIR}: the same features as the server, Kafka and HTTP left out, plus
     * the local-run bundle, which runs the request through the stage services the features registered and stops the
     * framework when it is done. The job's artifact store is {@code DIR/artifacts}, so a run again resumes.
     */
    private int compress(CompressOptions options) {
        Settings settings = Settings.load(options.base(), options.dist(), System.getenv());
        prepareFolders(settings);
        configureProcess(settings);
        Path felixCache;
        try {
            Files.createDirectories(options.out());
            felixCache = Files.createTempDirectory("penni-local-felix-");
        } catch (IOException e) {
            throw new LaunchException(LaunchException.CONFIG, "compress: cannot create " + options.out() + ": "
                    + e.getMessage());
        }
        Map<String, String> properties = frameworkProperties(settings, new LaunchOptions(options.base(), options.dist(),
                List.of(), Map.of()));
        properties.put(Constants.FRAMEWORK_STORAGE, felixCache.toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put("penni.var.dir", options.out().toString()); // the artifact store: DIR/artifacts
        options.dataRoot().ifPresent(p -> properties.put("penni.data.root", p.toString()));
        options.modelRoot().ifPresent(p -> properties.put("penni.model.root", p.toString()));
        // /metrics is not served for a local run; an ephemeral port keeps it clear of a server running beside it
        properties.put("org.osgi.service.http.port", "0");
        properties.put(LOCAL_REQUEST, options.request().toString());
        properties.put(LOCAL_OUT, options.out().toString());
        System.clearProperty(LOCAL_STATUS);
        System.clearProperty(LOCAL_STARTED);

        Container container = Container.start(settings, properties, List.of(), Container.RunMode.LOCAL);
        Thread stopper = new Thread(container::stop, "penni-local-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            if (!awaitLocalRun(container, Duration.ofSeconds(120))) {
                out.println("penni: compress: the run did not start within 120 s: " + missingStages(container)
                        + (container.problems().isEmpty() ? "" : "; bundle problems: " + container.problems()));
                container.stop();
            }
            container.awaitStop(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        deleteQuietly(felixCache);
        String status = System.getProperty(LOCAL_STATUS);
        if (status == null) {
            out.println("penni: compress: the container stopped before the job ended (details in "
                    + settings.varDir().resolve("log/penni.log") + ")");
            return 1;
        }
        return Integer.parseInt(status);
    }

    /** @return whether the local run started (all its stage services came) before the time ran out */
    private static boolean awaitLocalRun(Container container, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.getProperty(LOCAL_STARTED) == null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            container.awaitStop(200);
            if (System.getProperty(LOCAL_STATUS) != null) {
                return true;
            }
        }
        return true;
    }

    /** @return which of the built-in stages no service provides, as the container sees them now */
    private static String missingStages(Container container) {
        List<String> missing = new java.util.ArrayList<>(List.of("pretrain", "decompose", "retrain", "prune",
                "finetune", "shrink", "evaluate"));
        try {
            var refs = container.context().getServiceReferences((String) null, "(penni.stage=*)");
            if (refs != null) {
                for (var ref : refs) {
                    missing.remove(String.valueOf(ref.getProperty("penni.stage")));
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            return "the container's services cannot be read (" + e.getMessage() + ")";
        }
        return missing.isEmpty() ? "every stage is there, but the local-run bundle did not start"
                : "no service for the stage(s) " + missing;
    }

    private static void deleteQuietly(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: the system cleans it eventually
        }
    }

    private static void prepareFolders(Settings settings) {
        try {
            Files.createDirectories(settings.varDir().resolve("log"));
            Files.createDirectories(settings.deployDir());
        } catch (IOException e) {
            throw new LaunchException(LaunchException.CONFIG, "cannot create " + settings.varDir() + " or "
                    + settings.deployDir() + ": " + e.getMessage());
        }
    }

    /** Process-wide settings that must be in place before the first logger or the first ND4J class loads. */
    private static void configureProcess(Settings settings) {
        System.setProperty("penni.log.dir", settings.varDir().resolve("log").toString());
        Path logConfig = settings.configDir().resolve("log4j2.xml");
        if (Files.isRegularFile(logConfig)) {
            System.setProperty("log4j2.configurationFile", logConfig.toString());
        }
        System.setProperty("org.bytedeco.javacpp.maxbytes", String.valueOf(settings.maxOffHeapBytes()));
        System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", String.valueOf(settings.maxPhysicalBytes()));
        System.setProperty("org.bytedeco.javacpp.cachedir", settings.varDir().resolve("javacpp").toString());
    }

    private static Map<String, String> frameworkProperties(Settings settings, LaunchOptions options) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, settings.varDir().resolve("felix-cache").toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
        p.put(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*,com.sun.*,jdk.internal.*");
        p.put("felix.log.level", "0"); // the Container reports bundle errors itself, in one line each
        p.put("ds.loglevel", "warn");
        // FileInstall watches runtime-config/ for configurations; the deploy/ watcher is configured there too.
        p.put("felix.fileinstall.dir", settings.configDir().toString());
        p.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        p.put("felix.fileinstall.poll", "1000");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.log.level", "1");
        p.put("org.osgi.service.http.port", String.valueOf(settings.http().port()));
        p.put("org.apache.felix.http.host", settings.http().host());
        p.put("penni.base.dir", settings.base().toString());
        p.put("penni.config.dir", settings.configDir().toString());
        p.put("penni.deploy.dir", settings.deployDir().toString());
        p.put("penni.var.dir", settings.varDir().toString());
        p.put("penni.data.root", settings.dataRoot().toString());
        p.put("penni.model.root", settings.modelRoot().toString());
        p.put("penni.kafka.bootstrap.servers", settings.kafka().bootstrapServers());
        p.put("penni.kafka.embedded", String.valueOf(settings.kafka().external().isEmpty()));
        p.put("penni.metrics.url", settings.http().metricsUrl());
        p.putAll(options.overrides());
        return p;
    }

    private void printReady(Settings settings, Container container, String ready, double seconds) {
        Settings.KafkaSettings kafka = settings.kafka();
        out.println("PENNI Server " + version());
        out.printf("  Kafka     %s%n", kafka.external().isPresent() ? kafka.bootstrapServers() + " (external cluster)"
                : kafka.bootstrapServers() + " (embedded KRaft broker, data in " + relative(settings, kafka.dataDir()) + ")");
        out.printf("  Metrics   %s%s%n", settings.http().metricsUrl(),
                settings.http().listensOnAllInterfaces() ? " (listening on " + settings.http().host() + ")" : "");
        if (container.featureNames().contains("penni-dashboard")) {
            out.printf("  Dashboard %s (jobs live; POST /penni/api/jobs submits a request)%n",
                    settings.http().dashboardUrl());
        }
        out.printf("  Config    %s (edit a .cfg file: it applies live)%n", settings.configDir());
        out.printf("  Deploy    %s (drop a bundle jar here: it starts live)%n", settings.deployDir());
        out.printf("  Logs      %s%n", settings.varDir().resolve("log/penni.log"));
        out.printf("  Features  %s: %d bundles%n", String.join(", ", container.featureNames()), container.bundleCount());
        out.printf("  Ready     %s%n", ready);
        for (String problem : container.problems()) {
            out.println("  PROBLEM   " + problem);
        }
        for (String inactive : container.inactiveBundles()) {
            out.println("  INACTIVE  " + inactive);
        }
        out.printf(Locale.ROOT, "PENNI Server ready in %.1f s. Ctrl-C stops it.%n", seconds);
    }

    private static void writeServerFile(Settings settings, double seconds) {
        String json = String.format(Locale.ROOT,
                "{\"pid\":%d,\"kafka\":\"%s\",\"metrics\":\"%s\",\"dashboard\":\"%s\",\"started\":\"%s\","
                        + "\"startupSeconds\":%.2f}%n",
                ProcessHandle.current().pid(), settings.kafka().bootstrapServers(), settings.http().metricsUrl(),
                settings.http().dashboardUrl(),
                Instant.now(), seconds);
        try {
            Files.writeString(settings.varDir().resolve(SERVER_FILE), json);
        } catch (IOException e) {
            // only a convenience for the CLI; the server runs without it
        }
    }

    private static String relative(Settings settings, Path path) {
        return path.startsWith(settings.base()) ? settings.base().relativize(path).toString() : path.toString();
    }

    private static List<Path> jarsIn(Path folder) {
        if (Files.isRegularFile(folder)) {
            return List.of(folder);
        }
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new LaunchException(LaunchException.CONFIG, "cannot list " + folder + ": " + e.getMessage());
        }
    }

    private static String version() {
        String v = PenniLauncher.class.getPackage().getImplementationVersion();
        return v == null ? "" : v;
    }

    /** Orderly stop, run once, from a signal, the framework stopping or a JVM shutdown hook. */
    private static final class Shutdown {
        final CountDownLatch requested = new CountDownLatch(1);
        private final AtomicBoolean done = new AtomicBoolean();
        private final EmbeddedKafka broker;
        private final Path serverFile;
        volatile Container container;

        Shutdown(EmbeddedKafka broker, Path serverFile) {
            this.broker = broker;
            this.serverFile = serverFile;
        }

        void run() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            Container c = container;
            if (c != null) {
                c.stop();
            }
            if (broker != null) {
                broker.close();
            }
            try {
                Files.deleteIfExists(serverFile);
            } catch (IOException e) {
                // a stale file names a pid that no longer runs; the CLI checks that
            }
            org.apache.logging.log4j.LogManager.shutdown();
        }
    }
}
