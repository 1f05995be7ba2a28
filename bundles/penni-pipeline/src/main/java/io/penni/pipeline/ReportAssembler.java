package io.penni.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;
import io.penni.api.model.Model;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.model.CompressionReport;
import io.penni.model.CompressionReports;
import io.penni.model.ModelFiles;

/**
 * Assembles a finished job's report from what its stages recorded: the paper's per-layer table and the dense
 * versus compressed figures ({@link CompressionReports}), the accuracies, each stage's wall time and summary, the
 * learning curves, and the inference measurements. Written as {@code report/report.json}, {@code report/report.md}
 * and {@code report/learning-curves.csv}.
 */
public final class ReportAssembler {

    /** Artifact name of the JSON report. */
    public static final String REPORT_JSON = "report";
    /** Artifact name of the Markdown report. */
    public static final String REPORT_MARKDOWN = "report.md";
    /** Artifact name of the learning curves. */
    public static final String LEARNING_CURVES = "learning-curves";

    /** Output name of the evaluate stage's Markdown tables. */
    static final String INFERENCE_MARKDOWN = "inference-report";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TRAINING = List.of(StageNames.PRETRAIN, StageNames.RETRAIN, StageNames.FINETUNE);

    private ReportAssembler() {
    }

    /**
     * @param store the artifact store holding the job's stage records and models
     * @param request the job's request
     * @param plan the job's stages
     * @return the stored report
     * @throws IOException when a stage record or model is missing or unreadable
     */
    public static JobReport assemble(ArtifactStore store, CompressionRequest request, List<String> plan)
            throws IOException {
        String jobId = request.jobId();
        Map<String, StageOutcome.Completed> stages = new LinkedHashMap<>();
        for (String stage : plan) {
            stages.put(stage, StageRecords.find(store, jobId, stage)
                    .orElseThrow(() -> new IOException("stage " + stage + " of job " + jobId + " has no record")));
        }
        Model dense = model(store, stages, StageNames.PRETRAIN, "baseline");
        Model beforeShrink = model(store, stages, StageNames.FINETUNE, "model");
        Model compressed = model(store, stages, StageNames.SHRINK, "model");
        OptionalDouble baseline = number(stages, StageNames.PRETRAIN, "accuracy");
        OptionalDouble after = number(stages, StageNames.EVALUATE, "accuracy");
        if (after.isEmpty()) {
            after = number(stages, StageNames.FINETUNE, "accuracy");
        }
        CompressionReport table = CompressionReports.build(dense, beforeShrink, compressed).withAccuracy(baseline, after);

        ObjectNode report = (ObjectNode) JSON.readTree(CompressionReports.json(table));
        report.put("jobId", jobId);
        ObjectNode stageNode = report.putObject("stages");
        ObjectNode curves = report.putObject("learningCurves");
        stages.forEach((name, outcome) -> {
            ObjectNode s = stageNode.putObject(name);
            outcome.summary().forEach((k, v) -> {
                if (k.equals("history")) {
                    curves.set(name, JSON.valueToTree(v));
                } else {
                    s.set(k, JSON.valueToTree(v));
                }
            });
        });
        Optional.ofNullable(stages.get(StageNames.EVALUATE))
                .ifPresent(e -> report.set("inference", JSON.valueToTree(e.summary())));
        Optional.ofNullable(stages.get(StageNames.PRUNE)).ifPresent(p -> report.set("pruning", JSON.valueToTree(
                pruning(p.summary()))));

        Map<String, Object> headline = headline(table);
        String oneLine = oneLine(headline);
        String markdown = markdown(request, table, stages, oneLine) + inferenceMarkdown(store, stages);
        Map<String, ArtifactRef> artifacts = new LinkedHashMap<>();
        artifacts.put(REPORT_JSON, store.write(jobId, "report/report.json",
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report)));
        artifacts.put(REPORT_MARKDOWN, store.write(jobId, "report/report.md", markdown.getBytes(StandardCharsets.UTF_8)));
        artifacts.put(LEARNING_CURVES, store.write(jobId, "report/learning-curves.csv",
                curvesCsv(stages).getBytes(StandardCharsets.UTF_8)));
        return new JobReport(artifacts, headline, oneLine);
    }

    private static Model model(ArtifactStore store, Map<String, StageOutcome.Completed> stages, String stage,
            String output) throws IOException {
        StageOutcome.Completed outcome = stages.get(stage);
        ArtifactRef ref = outcome == null ? null : outcome.outputs().get(output);
        if (ref == null) {
            throw new IOException("the " + stage + " stage recorded no '" + output + "' output");
        }
        return ModelFiles.load(store.open(ref));
    }

    private static OptionalDouble number(Map<String, StageOutcome.Completed> stages, String stage, String key) {
        StageOutcome.Completed outcome = stages.get(stage);
        Object v = outcome == null ? null : outcome.summary().get(key);
        return v instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }

    private static Map<String, Object> headline(CompressionReport table) {
        Map<String, Object> h = new LinkedHashMap<>();
        table.baselineAccuracy().ifPresent(v -> h.put("baselineAccuracy", v));
        table.compressedAccuracy().ifPresent(v -> h.put("compressedAccuracy", v));
        h.put("paramsBefore", table.dense().params());
        h.put("paramsAfter", table.compressed().params());
        h.put("macsBefore", table.dense().macs());
        h.put("macsAfter", table.compressed().macs());
        h.put("convParamsBefore", table.dense().convParams());
        h.put("convParamsAfter", table.compressed().convParams());
        h.put("convMacsBefore", table.dense().convMacs());
        h.put("convMacsAfter", table.compressed().convMacs());
        return h;
    }

    private static String oneLine(Map<String, Object> h) {
        StringBuilder s = new StringBuilder();
        if (h.containsKey("baselineAccuracy") && h.containsKey("compressedAccuracy")) {
            s.append(String.format(Locale.ROOT, "top-1 %.2f%% -> %.2f%%, ", 100 * (double) h.get("baselineAccuracy"),
                    100 * (double) h.get("compressedAccuracy")));
        }
        s.append(String.format(Locale.ROOT, "conv params -%.1f%%, conv MACs -%.1f%%",
                reduction(h.get("convParamsBefore"), h.get("convParamsAfter")),
                reduction(h.get("convMacsBefore"), h.get("convMacsAfter"))));
        return s.toString();
    }

    private static double reduction(Object before, Object after) {
        double b = ((Number) before).doubleValue();
        return b == 0 ? 0 : 100 * (1 - ((Number) after).doubleValue() / b);
    }

    private static String markdown(CompressionRequest request, CompressionReport table,
            Map<String, StageOutcome.Completed> stages, String oneLine) {
        StringBuilder md = new StringBuilder();
        md.append("# PENNI report: job ").append(request.jobId()).append("\n\n");
        md.append("**").append(oneLine).append("**\n\n");
        md.append("Model: ").append(request.model()).append("; data: ").append(request.dataset().format()).append(" ")
                .append(request.dataset().path()).append("\n\n");
        Optional.ofNullable(stages.get(StageNames.PRUNE))
                .ifPresent(p -> md.append(pruningMarkdown(pruning(p.summary()))).append("\n\n"));
        md.append(CompressionReports.markdown(table)).append("\n\n## Stages\n\n| stage | seconds | figures |\n|---|---|---|\n");
        stages.forEach((name, outcome) -> {
            Object seconds = outcome.summary().get("seconds");
            md.append("| ").append(name).append(" | ")
                    .append(seconds instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : "")
                    .append(" | ").append(figures(outcome.summary())).append(" |\n");
        });
        return md.toString();
    }

    /**
     * Which strategy pruned the job, from which bundle and version, with which parameters and to what sparsity: the
     * prune stage records these, so a job keeps naming the strategy it used after the bundle was swapped.
     */
    private static Map<String, Object> pruning(Map<String, Object> summary) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("strategy", summary.getOrDefault("strategy", ""));
        p.put("bundle", summary.getOrDefault("bundle", ""));
        p.put("version", summary.getOrDefault("bundleVersion", ""));
        p.put("parameters", summary.getOrDefault("parameters", Map.of()));
        for (String key : List.of("sparsity", "kept", "total")) {
            Optional.ofNullable(summary.get(key)).ifPresent(v -> p.put(key, v));
        }
        return p;
    }

    private static String pruningMarkdown(Map<String, Object> p) {
        StringBuilder md = new StringBuilder("## Pruning\n\nStrategy `").append(p.get("strategy"))
                .append("` from bundle `").append(p.get("bundle")).append("` version `").append(p.get("version"))
                .append("`; parameters: ");
        Map<?, ?> parameters = p.get("parameters") instanceof Map<?, ?> m ? m : Map.of();
        md.append(parameters.isEmpty() ? "none" : String.join(", ", parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList()));
        if (p.get("sparsity") instanceof Number sparsity && p.get("total") instanceof Number total) {
            md.append(String.format(Locale.ROOT, "; pruned %.2f%% of %,d prunable values", 100 * sparsity.doubleValue(),
                    total.longValue()));
        }
        return md.append('.').toString();
    }

    /** The evaluate stage's own Markdown table of latency and memory, when it produced one. */
    private static String inferenceMarkdown(ArtifactStore store, Map<String, StageOutcome.Completed> stages)
            throws IOException {
        StageOutcome.Completed evaluate = stages.get(StageNames.EVALUATE);
        ArtifactRef ref = evaluate == null ? null : evaluate.outputs().get(INFERENCE_MARKDOWN);
        return ref == null ? "" : "\n" + java.nio.file.Files.readString(store.open(ref)) + "\n";
    }

    private static String figures(Map<String, Object> summary) {
        StringBuilder s = new StringBuilder();
        for (String key : List.of("accuracy", "stdRuleSparsity", "zeroCoefficients", "sparsity", "imagesPerSecond",
                "strategy", "resumedFromEpoch")) {
            Object v = summary.get(key);
            if (v != null) {
                s.append(s.length() == 0 ? "" : ", ").append(key).append(" ")
                        .append(v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v);
            }
        }
        return s.toString();
    }

    private static String curvesCsv(Map<String, StageOutcome.Completed> stages) {
        StringBuilder csv = new StringBuilder("stage,epoch,training,learningRate,loss,accuracy,testAccuracy,"
                + "zeroCoefficients,stdRuleSparsity,imagesPerSecond,seconds\n");
        for (String stage : TRAINING) {
            StageOutcome.Completed outcome = stages.get(stage);
            if (outcome == null || !(outcome.summary().get("history") instanceof List<?> history)) {
                continue;
            }
            for (Object epoch : history) {
                JsonNode e = JSON.valueToTree(epoch);
                csv.append(stage);
                for (String field : List.of("epoch", "training", "learningRate", "loss", "accuracy", "testAccuracy",
                        "zeroCoefficients", "stdRuleSparsity", "imagesPerSecond", "seconds")) {
                    csv.append(',').append(e.has(field) ? e.get(field).asText() : "");
                }
                csv.append('\n');
            }
        }
        return csv.toString();
    }
}
