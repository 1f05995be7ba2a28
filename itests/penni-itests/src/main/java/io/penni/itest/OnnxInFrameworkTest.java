package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

import io.penni.model.Architectures;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;

/**
 * The penni-onnx bundle inside the container: it takes protobuf from the protobuf-java bundle, and exports a model
 * there. (That ONNX Runtime runs what it writes is {@link InferenceInFrameworkTest}'s {@code onnxruntime} test.)
 */
@ExtendWith(BundleContextExtension.class)
class OnnxInFrameworkTest {

    @InjectBundleContext
    BundleContext context;

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals(symbolicName))
                .findFirst().orElseThrow(() -> new AssertionError(symbolicName + " is not installed"));
    }

    @Test
    void theOnnxBundleTakesProtobufFromTheProtobufBundle() {
        String provider = bundle("io.penni.onnx").adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package")
                .stream().filter(w -> "com.google.protobuf".equals(
                        w.getCapability().getAttributes().get("osgi.wiring.package")))
                .findFirst().orElseThrow().getProvider().getSymbolicName();
        assertEquals("com.google.protobuf", provider);
    }

    @Test
    void theOnnxRuntimeBundleIsActive() {
        assertEquals(Bundle.ACTIVE, bundle("io.penni.inference-onnxruntime").getState());
    }

    @Test
    void aModelExportsInsideTheFramework() {
        byte[] onnx = OnnxExport.toBytes(Architectures.create("vgg-small", 2), ExportForm.FACTORED);
        assertTrue(onnx.length > 4 * 400_000, onnx.length + " bytes");
    }
}
