package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.model.Architectures;
import io.penni.model.ModelFiles;
import io.penni.model.ReferenceForward;

/**
 * The penni-model bundle as other bundles use it: its package resolves, its JSON comes from the Jackson bundles,
 * and a model file written and read inside the framework gives the same logits.
 */
@ExtendWith(BundleContextExtension.class)
class ModelInFrameworkTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void theModelBundleTakesJacksonFromTheJacksonBundle() {
        Bundle model = Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals("io.penni.model"))
                .findFirst().orElseThrow();
        BundleWire jackson = model.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package").stream()
                .filter(w -> "com.fasterxml.jackson.databind".equals(
                        w.getCapability().getAttributes().get("osgi.wiring.package")))
                .findFirst().orElseThrow();
        assertEquals("com.fasterxml.jackson.core.jackson-databind", jackson.getProvider().getSymbolicName());
    }

    @Test
    void aModelSavedAndLoadedInsideTheFrameworkGivesTheSameLogits() throws IOException {
        Path dir = Files.createTempDirectory("penni-model-itest");
        try {
            Model model = Architectures.create("vgg-small", 3);
            Path graph = dir.resolve("vgg-small.json");
            ModelFiles.save(model, graph);
            Model loaded = ModelFiles.load(graph);
            assertEquals(model, loaded);
            float[] image = new float[28 * 28];
            for (int i = 0; i < image.length; i++) {
                image[i] = (i % 28) / 28f;
            }
            Tensor images = new Tensor(new int[] {1, 1, 28, 28}, image);
            assertArrayEquals(ReferenceForward.forward(model, images).data(),
                    ReferenceForward.forward(loaded, images).data());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
