package io.penni.bench.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.penni.api.model.Model;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelFiles;

/**
 * Writes the models under test into a server's model repository, each as version 1 of its own name with a
 * deployment file choosing its backend and batching: the compressed model on our engine and on ONNX Runtime, and the
 * dense original on ONNX Runtime (what a user would serve instead), each with dynamic batching off (one image a
 * batch) and on.
 */
final class Deployments {

    /** One served configuration: a repository name, its model and its deployment. */
    record Served(String name, String model, String backend, boolean batched) {
    }

    private static final String DENSE = "dense original";
    private static final String COMPRESSED = "compressed";

    /** Every configuration under test, batching off first: what {@link #write} writes and the load test runs. */
    static final List<Served> CONFIGURATIONS = List.of(
            new Served("ours-compressed-single", COMPRESSED, "cpu", false),
            new Served("ort-dense-single", DENSE, "onnxruntime", false),
            new Served("ort-compressed-single", COMPRESSED, "onnxruntime", false),
            new Served("ours-compressed-batched", COMPRESSED, "cpu", true),
            new Served("ort-dense-batched", DENSE, "onnxruntime", true),
            new Served("ort-compressed-batched", COMPRESSED, "onnxruntime", true));

    private Deployments() {
    }

    /**
     * Writes every configuration.
     *
     * @param repository the server's model repository folder
     * @param source {@code ARCH@FRACTION} for a stand-in (random weights, d = 5, that fraction of coefficients zero)
     *        or {@code DENSE.json,COMPRESSED.json}
     * @param maxBatch the batched configurations' max batch
     * @param delayMicros the batched configurations' max queue delay
     * @return the configurations, in the order written
     * @throws IOException when a file cannot be written
     */
    static List<Served> write(Path repository, String source, int maxBatch, long delayMicros) throws IOException {
        Model dense;
        Model compressed;
        if (source.contains(",")) {
            String[] files = source.split(",", 2);
            dense = ModelFiles.load(Path.of(files[0]));
            compressed = ModelFiles.load(Path.of(files[1]));
        } else {
            String[] parts = source.split("@", 2);
            dense = Architectures.create(parts[0], 1);
            compressed = SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 1),
                    Double.parseDouble(parts.length > 1 ? parts[1] : "0.97"), 1);
        }
        for (Served s : CONFIGURATIONS) {
            write(repository, s, s.model().equals(DENSE) ? dense : compressed, maxBatch, delayMicros);
        }
        return CONFIGURATIONS;
    }

    private static void write(Path repository, Served s, Model model, int maxBatch, long delayMicros)
            throws IOException {
        Path folder = Files.createDirectories(repository.resolve(s.name()).resolve("1"));
        Files.writeString(folder.resolve("deployment.json"), """
                {"backend": "%s", "maxBatch": %d, "maxQueueDelayMicros": %d, "source": "bench/serving"}
                """.formatted(s.backend(), s.batched() ? maxBatch : 1, s.batched() ? delayMicros : 0));
        ModelFiles.save(model, folder.resolve("model.json"));
    }
}
