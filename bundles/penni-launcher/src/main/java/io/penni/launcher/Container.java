package io.penni.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.launcher.feature.Feature;
import io.penni.launcher.feature.FeatureBundle;
import io.penni.launcher.feature.FeatureReader;

/**
 * The OSGi container: Apache Felix with the bundles of the selected features, each started at its start
 * order. Configuration and the deploy folder are FileInstall's business once the framework runs.
 */
final class Container {

    private static final Logger LOG = LoggerFactory.getLogger(Container.class);
    private static final String FEATURE_CONFIG_MARKER = "penni.feature";

    /** What the container is started for; it decides which features run. */
    enum RunMode {
        /** The long-running server: every feature but {@value #LOCAL_FEATURE}. */
        SERVER,
        /**
         * {@code compress --local}: the server's features and the {@value #LOCAL_FEATURE} feature, without the
         * workflow over Kafka ({@code kafka}), without serving models ({@code serving}) and without the dashboard
         * ({@code dashboard}, which reads Kafka); the launcher switches
         * HTTP off (the meters stay, unserved).
         */
        LOCAL;

        static final String LOCAL_FEATURE = "local";
        private static final Set<String> SERVER_ONLY = Set.of("kafka", "serving", "dashboard");

        boolean runs(String feature) {
            return this == SERVER ? !feature.equals(LOCAL_FEATURE) : !SERVER_ONLY.contains(feature);
        }
    }

    private final Felix framework;
    private final List<Feature> features;
    private final List<String> problems = new CopyOnWriteArrayList<>();

    private Container(Felix framework, List<Feature> features) {
        this.framework = framework;
        this.features = features;
    }

    /**
     * Reads the features, creates the framework, installs every feature bundle and the extra bundles, and
     * starts it all.
     *
     * @param settings the launcher settings
     * @param frameworkProperties the framework's properties
     * @param extraBundles jars to install after the features (tests), empty for none
     * @return the running container
     */
    static Container start(Settings settings, Map<String, String> frameworkProperties, List<Path> extraBundles) {
        return start(settings, frameworkProperties, extraBundles, RunMode.SERVER);
    }

    /**
     * As {@link #start(Settings, Map, List)}, for a run mode.
     *
     * @param settings the launcher settings
     * @param frameworkProperties the framework's properties
     * @param extraBundles jars to install after the features (tests), empty for none
     * @param mode what the container runs for
     * @return the running container
     */
    static Container start(Settings settings, Map<String, String> frameworkProperties, List<Path> extraBundles,
            RunMode mode) {
        List<Feature> features = selectFeatures(settings, mode);
        Map<String, Object> properties = new HashMap<>(frameworkProperties);
        int maxStartOrder = features.stream().flatMap(f -> f.bundles().stream()).mapToInt(FeatureBundle::startOrder)
                .max().orElse(1) + 1;
        properties.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(maxStartOrder));
        Felix felix = new Felix(properties);
        Container container = new Container(felix, features);
        try {
            felix.init();
            BundleContext context = felix.getBundleContext();
            context.addFrameworkListener(event -> {
                if (event.getType() == FrameworkEvent.ERROR) {
                    String bundle = event.getBundle() == null ? "framework" : event.getBundle().getSymbolicName();
                    String reason = event.getThrowable() == null ? "" : ": " + event.getThrowable().getMessage();
                    container.problems.add(bundle + reason);
                    LOG.error("bundle {} failed{}", bundle, reason, event.getThrowable());
                }
            });
            for (Feature feature : features) {
                for (FeatureBundle fb : feature.bundles()) {
                    Path jar = settings.dist().resolve("system").resolve(fb.id().repositoryPath());
                    if (!Files.isRegularFile(jar)) {
                        throw new LaunchException(LaunchException.CONFIG, "feature " + feature.id().artifactId()
                                + " names " + fb.id() + " but " + jar + " is missing; rebuild the distribution");
                    }
                    install(context, jar, fb.startOrder());
                }
            }
            for (Path jar : extraBundles) {
                install(context, jar, maxStartOrder);
            }
            felix.start();
            // Felix reaches the beginning start level asynchronously; wait for it.
            FrameworkStartLevel startLevel = felix.adapt(FrameworkStartLevel.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (startLevel.getStartLevel() < maxStartOrder && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            container.applyFeatureConfigurations();
        } catch (BundleException e) {
            throw new LaunchException(LaunchException.STARTUP, "the OSGi framework did not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(LaunchException.STARTUP, "interrupted while starting");
        }
        return container;
    }

    private static List<Feature> selectFeatures(Settings settings, RunMode mode) {
        Path folder = settings.dist().resolve("features");
        Map<String, Feature> byName = new LinkedHashMap<>();
        try {
            for (Path file : FeatureReader.list(folder)) {
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                byName.put(name, FeatureReader.read(file, Map.of()));
            }
        } catch (IOException e) {
            throw new LaunchException(LaunchException.CONFIG, "cannot read features in " + folder + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new LaunchException(LaunchException.CONFIG, e.getMessage());
        }
        List<String> names = new ArrayList<>(settings.features().isEmpty() ? byName.keySet() : settings.features());
        if (mode == RunMode.LOCAL && !names.contains(RunMode.LOCAL_FEATURE)) {
            names.add(RunMode.LOCAL_FEATURE);
        }
        names.removeIf(name -> !mode.runs(name));
        List<Feature> selected = new ArrayList<>();
        for (String name : names) {
            Feature feature = byName.get(name);
            if (feature == null) {
                throw new LaunchException(LaunchException.CONFIG, "runtime-config/" + Settings.LAUNCHER_FILE
                        + ": penni.features names '" + name + "', but the features are " + byName.keySet());
            }
            selected.add(feature);
        }
        return selected;
    }

    private static void install(BundleContext context, Path jar, int startOrder) throws BundleException {
        Bundle bundle = context.installBundle(jar.toUri().toString());
        bundle.adapt(BundleStartLevel.class).setStartLevel(startOrder);
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
            bundle.start(Bundle.START_ACTIVATION_POLICY);
        }
    }

    /**
     * Gives ConfigAdmin the features' configurations that no file in runtime-config/ provides: a feature's
     * configuration is a default, the files are what the user set.
     */
    private void applyFeatureConfigurations() {
        BundleContext context = framework.getBundleContext();
        ServiceReference<?> ref = context.getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        boolean any = features.stream().anyMatch(f -> !f.configurations().isEmpty());
        if (!any) {
            return;
        }
        if (ref == null) {
            problems.add("features carry configurations but no ConfigurationAdmin is running");
            return;
        }
        FeatureConfigurations.apply(context, ref, features, FEATURE_CONFIG_MARKER);
    }

    /** @return bundles that are not active (fragments aside), with their state */
    List<String> inactiveBundles() {
        List<String> inactive = new ArrayList<>();
        for (Bundle b : framework.getBundleContext().getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                inactive.add(b.getSymbolicName() + " " + b.getVersion() + " (" + state(b.getState()) + ")");
            }
        }
        return inactive;
    }

    /** @return errors bundles reported while starting */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** @return the number of installed bundles, the system bundle aside */
    int bundleCount() {
        return framework.getBundleContext().getBundles().length - 1;
    }

    /** @return the names of the features started */
    List<String> featureNames() {
        return features.stream().map(f -> f.id().artifactId()).toList();
    }

    /** @return the framework's bundle context */
    BundleContext context() {
        return framework.getBundleContext();
    }

    /**
     * Waits until the framework has stopped by itself (a bundle stopped it) or the timeout passes.
     *
     * @param millis how long to wait, 0 for ever
     * @throws InterruptedException when interrupted
     */
    void awaitStop(long millis) throws InterruptedException {
        framework.waitForStop(millis);
    }

    /** Stops every bundle in reverse start order and the framework, waiting up to 60 s. */
    void stop() {
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(TimeUnit.SECONDS.toMillis(60));
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warn("the framework did not stop within 60 s");
            }
        } catch (BundleException e) {
            LOG.warn("stopping the framework failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED: unresolved requirements";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "state " + state;
        };
    }

    /**
     * Applies feature configurations through ConfigAdmin. ConfigAdmin's API belongs to its bundle, not to the
     * launcher's class path, so the launcher calls it reflectively.
     */
    static final class FeatureConfigurations {
        private FeatureConfigurations() {
        }

        static void apply(BundleContext context, ServiceReference<?> ref, List<Feature> features, String marker) {
            Object admin = context.getService(ref);
            try {
                for (Feature feature : features) {
                    for (var entry : feature.configurations().entrySet()) {
                        applyOne(admin, entry.getKey(), entry.getValue(), feature.id().artifactId(), marker);
                    }
                }
            } catch (ReflectiveOperationException e) {
                LOG.error("cannot apply feature configurations", e);
            } finally {
                context.ungetService(ref);
            }
        }

        private static void applyOne(Object admin, String pid, Map<String, Object> values, String feature,
                String marker) throws ReflectiveOperationException {
            Object configuration;
            int tilde = pid.indexOf('~');
            if (tilde > 0) {
                configuration = method(admin, "ConfigurationAdmin", "getFactoryConfiguration", String.class,
                        String.class, String.class).invoke(admin, pid.substring(0, tilde), pid.substring(tilde + 1), "?");
            } else {
                configuration = method(admin, "ConfigurationAdmin", "getConfiguration", String.class, String.class)
                        .invoke(admin, pid, "?");
            }
            if (method(configuration, "Configuration", "getProperties").invoke(configuration) != null) {
                return; // a file in runtime-config/ (or an earlier start) set it: leave the user's values alone
            }
            Dictionary<String, Object> properties = new Hashtable<>(values);
            properties.put(marker, feature);
            method(configuration, "Configuration", "update", Dictionary.class).invoke(configuration, properties);
            LOG.info("applied configuration {} from feature {}", pid, feature);
        }

        /** Finds a method through the public ConfigAdmin interface, not the (non-public) implementation class. */
        private static java.lang.reflect.Method method(Object target, String iface, String name, Class<?>... params)
                throws NoSuchMethodException {
            for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
                for (Class<?> candidate : type.getInterfaces()) {
                    if (candidate.getName().equals("org.osgi.service.cm." + iface)) {
                        return candidate.getMethod(name, params);
                    }
                }
            }
            throw new NoSuchMethodException("org.osgi.service.cm." + iface + "." + name);
        }
    }
}
