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
 * Gathers one benchmark run into {@code bench/results/NAME.{json,md}} (NAME from the system property
 * {@code bench.name}, default {@code training-fashion}): for each model the pipeline's report (accuracies, conv params
 * and MACs before and after, the per-layer table, stage wall times, peak resident memory, the request's epoch
 * budget) and the throughput comparison measured in the same session, when there was one.
 */
public final class TrainingSummary {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingSummary() {
    }

    /**
     * @param args {@code RESULTS_DIR THROUGHPUT.json|- (MODEL=REQUEST.json:WORK_DIR:WALL_SECONDS)...}; {@code -} for a
     *     run without the throughput rounds
     */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args[0]);
        String name = System.getProperty("bench.name", "training-fashion");
        JsonNode throughput = args[1].equals("-") ? null : JSON.readTree(Path.of(args[1]).toFile());
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", name);
        root.put("date", Instant.now().toString());
        root.put("data", "Fashion-MNIST, all 60,000 training and 10,000 test images");
        if (throughput != null) {
            root.set("throughput", throughput);
        }
        ObjectNode models = root.putObject("models");
        StringBuilder md = new StringBuilder("# Training benchmark: the whole PENNI pipeline on Fashion-MNIST\n\n");
        md.append("Written by `bench/training/run` on ").append(root.get("date").asText())
                .append(". One run on the shared 2-core machine")
                .append(throughput == null ? ".\n\n" : "; the throughput rounds interleave the variants.\n\n");
        md.append("| model | epochs (pretrain / retrain / finetune) | baseline top-1 | compressed top-1 | Δ top-1 | conv params | conv MACs | peak RSS | wall time |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder tables = new StringBuilder();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            String[] parts = kv[1].split(":");
            JsonNode request = JSON.readTree(Path.of(parts[0]).toFile());
            Path work = Path.of(parts[1]);
            double wall = Double.parseDouble(parts[2]);
            JsonNode report = JSON.readTree(work.resolve("report.json").toFile());
            ObjectNode m = models.putObject(kv[0]);
            m.set("request", request);
            m.set("report", report);
            m.put("wallSeconds", wall);
            double base = report.at("/baseline/accuracy").asDouble();
            double after = report.at("/compressed/accuracy").asDouble();
            JsonNode stages = report.path("stages");
            long peak = 0;
            Iterator<Map.Entry<String, JsonNode>> it = stages.fields();
            while (it.hasNext()) {
                peak = Math.max(peak, it.next().getValue().path("peakResidentBytes").asLong());
            }
            m.put("peakResidentBytes", peak);
            double convParams = reduction(report, "convParams");
            double convMacs = reduction(report, "convMacs");
            m.put("convParamsReduction", convParams);
            m.put("convMacsReduction", convMacs);
            m.put("top1Change", after - base);
            md.append(String.format(Locale.ROOT, "| %s | %d / %d / %d | %.2f%% | %.2f%% | %+.2f pt | -%.1f%% | -%.1f%% | %.2f GB | %.0f min |%n",
                    kv[0], request.at("/pretrain/epochs").asInt(), request.at("/penni/retrain/epochs").asInt(),
                    request.at("/penni/finetune/epochs").asInt(), 100 * base, 100 * after, 100 * (after - base),
                    100 * convParams, 100 * convMacs, peak / 1e9, wall / 60));
            tables.append("\n## ").append(kv[0]).append("\n\nStage wall times: ");
            Iterator<Map.Entry<String, JsonNode>> s = stages.fields();
            while (s.hasNext()) {
                Map.Entry<String, JsonNode> e = s.next();
                tables.append(String.format(Locale.ROOT, "%s %.0f s%s", e.getKey(), e.getValue().path("seconds").asDouble(),
                        s.hasNext() ? ", " : ".\n\n"));
            }
            tables.append(Files.readString(work.resolve("report.md")).replaceFirst("(?s)^# [^\n]*\n", "")).append("\n");
        }
        md.append(inferenceTable(models));
        if (throughput != null) {
            JsonNode v = throughput.path("variants");
            md.append(String.format(Locale.ROOT, "%nTraining throughput, vgg-small, batch 128 (median of %d rounds, images/s): "
                            + "SameDiff dense %.0f, SameDiff decomposed %.0f, DL4J ConvolutionLayer %.0f — dense / DL4J "
                            + "**%.2fx**, decomposed / dense **%.2fx**.%n",
                    throughput.path("rounds").asInt(), v.at("/samediff-dense/median").asDouble(),
                    v.at("/samediff-decomposed/median").asDouble(), v.at("/dl4j-convolutionlayer/median").asDouble(),
                    throughput.at("/ratios/denseOverDl4j").asDouble(), throughput.at("/ratios/decomposedOverDense").asDouble()));
        }
        md.append(tables);
        Files.createDirectories(results);
        JSON.writerWithDefaultPrettyPrinter().writeValue(results.resolve(name + ".json").toFile(), root);
        Files.writeString(results.resolve(name + ".md"), md);
        System.out.println(md);
    }

    /**
     * The evaluate stage's figures for each compressed model: its latency and memory on the CPU engine against
     * the dense original on the dense reference backend, measured in turns in the same process.
     *
     * @param models each model's node, by name, its report under {@code report}
     * @return the Markdown table
     */
    static String inferenceTable(JsonNode models) {
        StringBuilder md = new StringBuilder("\nInference of the compressed models (evaluate stage: the compressed model on "
                + "the `cpu` engine against its dense original on `dense-reference`, timed in turns in one process; "
                + "ratios are compressed / dense, lower is better):\n\n");
        md.append("| model | batch | dense median ms | compressed median ms | latency ratio | compressed GFLOP/s | memory ratio |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        Iterator<Map.Entry<String, JsonNode>> it = models.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode inference = e.getValue().at("/report/inference");
            Iterator<String> batches = inference.path("dense_latency").fieldNames();
            while (batches.hasNext()) {
                String batch = batches.next();
                double dense = inference.at("/dense_latency/" + batch + "/median_ms").asDouble();
                double compressed = inference.at("/latency/cpu/" + batch + "/median_ms").asDouble();
                md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | **%.2fx** | %.1f | **%.2fx** |%n",
                        e.getKey(), batch.replace("batch_", ""), dense, compressed, compressed / dense,
                        inference.at("/latency/cpu/" + batch + "/gflops").asDouble(),
                        inference.at("/memory/cpu/" + batch + "/ratio_vs_dense").asDouble()));
            }
        }
        return md.toString();
    }

    /** Fraction removed of the convolutions' params or MACs, from report.json's {@code conv} section. */
    private static double reduction(JsonNode report, String headline) {
        String field = headline.equals("convParams") ? "params" : "macs";
        return 1 - report.at("/conv/" + field + "/after").asDouble() / report.at("/conv/" + field + "/before").asDouble();
    }
}
