package io.penni.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

import io.penni.api.model.Tensor;

/**
 * The files tools/onnx-fixtures/make-fixtures.py wrote with torch.onnx.export: each model with a golden input
 * batch and PyTorch's output for it.
 */
final class OnnxFixtures {

    private static final String FOLDER = "/io/penni/onnx/fixtures/";

    private OnnxFixtures() {
    }

    /** @return the fixture's .onnx file */
    static Path model(String name) {
        return file(name + ".onnx");
    }

    /** @return the golden input batch */
    static Tensor input(String name) {
        return tensor(name, "input");
    }

    /** @return PyTorch's output for the golden input */
    static Tensor output(String name) {
        return tensor(name, "output");
    }

    private static Tensor tensor(String name, String which) {
        try {
            int[] shape = Arrays.stream(golden().getProperty(name + "." + which).split(","))
                    .mapToInt(Integer::parseInt).toArray();
            byte[] bytes = Files.readAllBytes(file(name + "." + which + ".f32"));
            float[] values = new float[bytes.length / Float.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return new Tensor(shape, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties golden() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file("golden.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    private static Path file(String name) {
        try {
            return Path.of(OnnxFixtures.class.getResource(FOLDER + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no fixture " + name + "; run tools/onnx-fixtures/make-fixtures.py", e);
        }
    }
}
