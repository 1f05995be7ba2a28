package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import io.penni.api.compute.TensorRuntime;

/** The container as shipped: every bundle of every feature is active and the runtime services are there. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class ContainerTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void everyBundleIsActive() {
        List<String> inactive = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && bundle.getState() != Bundle.ACTIVE && bundle.getState() != Bundle.STARTING) {
                inactive.add(bundle.getSymbolicName() + " state " + bundle.getState());
            }
        }
        assertEquals(List.of(), inactive, "bundles that are not active");
    }

    @Test
    void theFeaturesBundlesAreInstalled() {
        Set<String> names = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName).collect(Collectors.toSet());
        for (String required : List.of("org.apache.felix.scr", "org.apache.felix.configadmin",
                "org.apache.felix.fileinstall", "org.apache.felix.http.jetty12", "io.penni.api", "io.penni.nd4j",
                "io.penni.kafka-clients", "io.penni.metrics", "io.penni.datasets", "io.penni.model")) {
            assertTrue(names.contains(required), required + " is not installed; installed: " + names);
        }
    }

    /**
     * Micrometer's Kafka binder (the workflow's consumer lag) finds Kafka's classes by a wire made when micrometer-core
     * resolved (the penni-micrometer-kafka fragment's imports), not by a dynamic import at its first use, whose one
     * failure the JVM would keep for good.
     */
    @Test
    void micrometerIsWiredToTheKafkaClientsWhenItResolves() {
        Bundle micrometer = Arrays.stream(context.getBundles()).filter(b -> "micrometer-core".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        BundleWiring wiring = micrometer.adapt(BundleWiring.class);
        for (String pkg : List.of("org.apache.kafka.clients.consumer", "org.apache.kafka.clients.producer",
                "org.apache.kafka.common.metrics")) {
            BundleWire wire = wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE).stream()
                    .filter(w -> pkg.equals(w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)))
                    .findFirst().orElseThrow(() -> new AssertionError("micrometer-core has no wire for " + pkg));
            assertEquals("io.penni.kafka-clients", wire.getProvider().getBundle().getSymbolicName(), pkg);
            assertEquals(PackageNamespace.RESOLUTION_OPTIONAL, wire.getRequirement().getDirectives()
                    .get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE), pkg + " is wired by a static import");
        }
    }

    @Test
    void theTensorRuntimeReportsItsNativeBuildAndMemoryCap(@InjectService TensorRuntime runtime) {
        assertTrue(runtime.nativeBuild().startsWith("linux-x86_64"), runtime.nativeBuild());
        assertTrue(runtime.maxOffHeapBytes() > 0, "off-heap cap " + runtime.maxOffHeapBytes());
        assertTrue(runtime.physicalBytes() > 0, "physical bytes " + runtime.physicalBytes());
    }
}
