package io.penni.bench.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes {@code inference-fashion.json} and {@code .md} from the reports of jobs whose evaluate stage
 * {@code bench/inference/compressed} just re-ran: each compressed model's latency, throughput and memory on the
 * CPU engine against its dense original on the dense reference backend, with both models' test accuracy.
 */
public final class InferenceSummary {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InferenceSummary() {
    }

    /**
     * @param args {@code RESULTS_DIR NAME BUILD OMP_WAIT_POLICY (MODEL=WORK_DIR)...}
     */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args[0]);
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", args[1]);
        root.put("date", Instant.now().toString());
        String name = args[1];
        root.put("build", args[2]);
        root.put("omp_wait_policy", args[3]);
        root.put("machine", Runtime.getRuntime().availableProcessors() + " cores, shared");
        ObjectNode models = root.putObject("models");
        for (int i = 4; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            JsonNode report = JSON.readTree(Path.of(kv[1]).resolve("report.json").toFile());
            ObjectNode m = models.putObject(kv[0]);
            m.set("report", report);
        }
        StringBuilder md = new StringBuilder("# Inference of the compressed Fashion-MNIST models\n\n");
        md.append("Written by `bench/inference/compressed` on ").append(root.get("date").asText())
                .append(", build ").append(args[2]).append(", ND4J's OpenMP wait policy ").append(args[3])
                .append(", on the shared 2-core machine. The models are the ones ")
                .append("`bench/training/run` compressed (`bench/results/training-fashion.md`); only their evaluate ")
                .append("stage ran again. The dense original on the dense reference backend (SameDiff / oneDNN) and the ")
                .append("compressed model on the CPU engine are timed in turns in one process; memory is weights + ")
                .append("activation buffers + scratch as each backend counts it (the dense reference counts its ")
                .append("activations alive at once, not oneDNN's own scratch).\n");
        md.append(TrainingSummary.inferenceTable(models));
        md.append("\nTop-1 on the 10,000 test images, as measured by the same runs:\n\n| model | dense | compressed |\n|---|---:|---:|\n");
        Iterator<Map.Entry<String, JsonNode>> it = models.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode inference = e.getValue().at("/report/inference");
            md.append(String.format(Locale.ROOT, "| %s | %.2f%% | %.2f%% |%n", e.getKey(),
                    100 * inference.path("dense_accuracy").asDouble(), 100 * inference.at("/accuracy/cpu").asDouble()));
        }
        Files.createDirectories(results);
        JSON.writerWithDefaultPrettyPrinter().writeValue(results.resolve(name + ".json").toFile(), root);
        Files.writeString(results.resolve(name + ".md"), md);
        System.out.println(md);
    }
}
