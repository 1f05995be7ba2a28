package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Without a restart: a bundle jar dropped into deploy/ starts, a configuration file written into
 * runtime-config/ reaches its component (and a change to it too), and removing the jar uninstalls it.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class HotDeployTest {

    private static final String PROBE = "io.penni.itest-probe";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @InjectBundleContext
    BundleContext context;

    @Test
    void aDroppedBundleStartsAndAConfigFileReachesItsComponentLive() throws Exception {
        Path jar = Path.of(context.getProperty("penni.itest.probe.jar"));
        Path deployed = Path.of(context.getProperty("penni.deploy.dir")).resolve("probe.jar");
        Path config = Path.of(context.getProperty("penni.config.dir")).resolve("io.penni.itest.probe.cfg");
        assertTrue(probeBundle().isEmpty(), "the probe must not be installed before the test");

        ServiceTracker<Supplier<String>, Supplier<String>> probe = new ServiceTracker<>(context,
                FrameworkUtil.createFilter("(&(objectClass=java.util.function.Supplier)(penni.itest=probe))"), null);
        probe.open();
        try {
            Files.copy(jar, deployed, StandardCopyOption.REPLACE_EXISTING);
            Await.until("the dropped bundle to be active", PATIENCE, () -> probeBundle().map(b -> b.getState() == Bundle.ACTIVE)
                    .orElse(false));
            Await.until("the probe's service", PATIENCE, () -> probe.getService() != null);
            assertEquals("unconfigured", probe.getService().get());

            for (int round = 0; round < 2; round++) {
                String greeting = "hello-" + UUID.randomUUID();
                Files.writeString(config, "greeting=" + greeting + "\n");
                Await.until("greeting " + greeting + " to reach the component", PATIENCE,
                        () -> probe.getService() != null && greeting.equals(probe.getService().get()));
            }

            Files.delete(deployed);
            Await.until("the removed bundle to be uninstalled", PATIENCE, () -> probeBundle().isEmpty());
        } finally {
            probe.close();
            Files.deleteIfExists(deployed);
            Files.deleteIfExists(config);
        }
    }

    private Optional<Bundle> probeBundle() {
        return Arrays.stream(context.getBundles()).filter(b -> PROBE.equals(b.getSymbolicName())).findFirst();
    }
}
