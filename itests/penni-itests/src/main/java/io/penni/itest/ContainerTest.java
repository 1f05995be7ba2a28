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

    @Test
    void theTensorRuntimeReportsItsNativeBuildAndMemoryCap(@InjectService TensorRuntime runtime) {
        assertTrue(runtime.nativeBuild().startsWith("linux-x86_64"), runtime.nativeBuild());
        assertTrue(runtime.maxOffHeapBytes() > 0, "off-heap cap " + runtime.maxOffHeapBytes());
        assertTrue(runtime.physicalBytes() > 0, "physical bytes " + runtime.physicalBytes());
    }
}
