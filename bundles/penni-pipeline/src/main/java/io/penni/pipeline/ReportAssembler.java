package io.penni.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;
import io.penni.api.model.Model;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.EvaluationSummary;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.PruningSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageSummary;
import io.penni.api.stage.TrainingSummary;
import io.penni.model.CompressionReport;
import io.penni.model.CompressionReports;
import io.penni.model.ModelArtifacts;
import io.penni.model.StageSummaryJson;
import io.penni.model.figures.Figure;
import io.penni.model.figures.JobFigures;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;

/**
 * Assembles a finished job's report from what its stages recorded: the paper's per-layer table and the dense
 * versus compressed figures ({@link CompressionReports}), the accuracies, each stage's wall time and summary, the
 * learning curves, and the inference measurements. Written as {@code report/report.json}, {@code report/report.md}
 * and {@code report/learning-curves.csv}, with the compressed model as ONNX in factored form beside them
 * ({@code report/model.onnx}, which the report links to).
 */
public final class ReportAssembler {

    /** Artifact name of the JSON report. */
    public static final String REPORT_JSON = "report";
    /** Artifact name of the Markdown report. */
    public static final String REPORT_MARKDOWN = "report.md";
    /** Artifact name of the learning curves. */
    public static final String LEARNING_CURVES = "learning-curves";
    /** Artifact name of the compressed model as ONNX (factored form), and its file's name beside the reports. */
    public static final String MODEL_ONNX = "model.onnx";
    /**
     * Prefix of the figures' artifact names: a figure's artifact is named by its path relative to the report,
     * e.g. {@code figures/curves.png}, so a copy of the report folder keeps report.md's links working.
     */
    public static final String FIGURES = Figure.FOLDER;

    /** Output name of the evaluate stage's Markdown tables. */
    static final String INFERENCE_MARKDOWN = "inference-report";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The field of a training summary's epochs, which the report moves to {@code learningCurves}. */
    private static final String HISTORY = "history";
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
        OptionalDouble baseline = accuracy(stages, StageNames.PRETRAIN);
        // the evaluate stage's accuracy is per backend; the compressed model's one figure is fine-tuning's
        OptionalDouble after = accuracy(stages, StageNames.FINETUNE);
        CompressionReport table = CompressionReports.build(dense, beforeShrink, compressed).withAccuracy(baseline, after);

        ObjectNode report = (ObjectNode) JSON.readTree(CompressionReports.json(table));
        report.put("jobId", jobId);
        request.recipe().ifPresent(r -> report.putObject("recipe").put("name", r.name()).put("version", r.version()));
        FileSizes files = FileSizes.of(store, stages);
        report.set("files", files.json());
        ObjectNode stageNode = report.putObject("stages");
        ObjectNode curves = report.putObject("learningCurves");
        stages.forEach((name, outcome) -> {
            ObjectNode s = stageNode.putObject(name);
            s.setAll(StageSummaryJson.fields(outcome.summary()));
            if (outcome.summary() instanceof TrainingSummary training) {
                s.remove(HISTORY); // the epochs are the learning curves
                curves.set(name, StageSummaryJson.history(training.history()));
            }
            outcome.seconds().ifPresent(v -> s.put(StageRunner.SECONDS, v));
        });
        Optional.ofNullable(stages.get(StageNames.EVALUATE))
                .ifPresent(e -> report.set("inference", StageSummaryJson.fields(e.summary())));
        pruning(stages).ifPresent(p -> report.set("pruning", JSON.valueToTree(pruning(p, request))));

        Map<String, Object> headline = headline(table);
        String oneLine = oneLine(headline);
        report.put("onnx", MODEL_ONNX);
        JobFigures.Drawn figures = JobFigures.draw(dense, beforeShrink, phases(stages));
        ArrayNode figureList = report.putArray("figures");
        Map<String, ArtifactRef> artifacts = new LinkedHashMap<>();
        for (Figure f : figures.figures()) {
            ObjectNode entry = figureList.addObject();
            entry.put("kind", f.kind());
            entry.put("layer", f.layer().orElse(null));
            entry.put("file", f.file());
            entry.put("width", f.width());
            entry.put("height", f.height());
            artifacts.put(f.file(), store.write(jobId, "report/" + f.file(), f.png()));
        }
        if (!figures.problems().isEmpty()) {
            report.putPOJO("figureProblems", figures.problems());
        }
        String markdown = markdown(request, table, stages, oneLine) + files.markdown() + figuresMarkdown(figures)
                + onnxMarkdown() + inferenceMarkdown(store, stages);
        artifacts.put(MODEL_ONNX, store.write(jobId, "report/" + MODEL_ONNX,
                OnnxExport.toBytes(compressed, ExportForm.FACTORED)));
        artifacts.put(REPORT_JSON, store.write(jobId, "report/report.json",
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report)));
        artifacts.put(REPORT_MARKDOWN, store.write(jobId, "report/report.md", markdown.getBytes(StandardCharsets.UTF_8)));
        artifacts.put(LEARNING_CURVES, store.write(jobId, "report/learning-curves.csv",
                curvesCsv(stages).getBytes(StandardCharsets.UTF_8)));
        return new JobReport(artifacts, headline, oneLine);
    }

    /** Each training phase's epochs, in plan order. */
    private static Map<String, List<TrainingSummary.Epoch>> phases(Map<String, StageOutcome.Completed> stages) {
        Map<String, List<TrainingSummary.Epoch>> phases = new LinkedHashMap<>();
        stages.forEach((name, outcome) -> {
            if (outcome.summary() instanceof TrainingSummary t) {
                phases.put(name, t.history());
            }
        });
        return phases;
    }

    /** The pictures, linked relative to report.md, and a line for each one that could not be drawn. */
    private static String figuresMarkdown(JobFigures.Drawn drawn) {
        StringBuilder md = new StringBuilder("\n## Figures\n\n");
        for (Figure f : drawn.figures()) {
            String what = switch (f.kind()) {
                case Figure.COEFFICIENTS -> "Coefficients of " + f.layer().orElse("");
                case Figure.WEIGHTS -> "Kernels of " + f.layer().orElse("") + ", original and reconstructed";
                default -> "Learning curves";
            };
            md.append("![").append(what).append("](").append(f.file()).append(")\n\n");
        }
        if (drawn.figures().isEmpty()) {
            md.append("No figures: the job has no decomposed layer and no training epochs.\n\n");
        }
        drawn.problems().forEach(p -> md.append("- not drawn: ").append(p).append('\n'));
        return md.toString();
    }

    private static Model model(ArtifactStore store, Map<String, StageOutcome.Completed> stages, String stage,
            String output) throws IOException {
        StageOutcome.Completed outcome = stages.get(stage);
        if (outcome == null || !outcome.outputs().containsKey(output)) {
            throw new IOException("the " + stage + " stage recorded no '" + output + "' output");
        }
        return ModelArtifacts.load(store, outcome.outputs(), output);
    }

    private static OptionalDouble accuracy(Map<String, StageOutcome.Completed> stages, String stage) {
        StageOutcome.Completed outcome = stages.get(stage);
        return outcome != null && outcome.summary() instanceof TrainingSummary t ? OptionalDouble.of(t.accuracy())
                : OptionalDouble.empty();
    }

    private static Optional<PruningSummary> pruning(Map<String, StageOutcome.Completed> stages) {
        StageOutcome.Completed outcome = stages.get(StageNames.PRUNE);
        return outcome != null && outcome.summary() instanceof PruningSummary p ? Optional.of(p) : Optional.empty();
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
        request.recipe().ifPresent(r -> md.append("Recipe: ").append(r.name()).append(", version ").append(r.version())
                .append(" (fields the request gave override it)\n\n"));
        if (request.penni().distillation().enabled()) {
            md.append(String.format(Locale.ROOT, "Distillation from the dense model: alpha %s, temperature %s%n%n",
                    request.penni().distillation().alpha(), request.penni().distillation().temperature()));
        }
        pruning(stages).ifPresent(p -> md.append(pruningMarkdown(pruning(p, request))).append("\n\n"));
        md.append(CompressionReports.markdown(table)).append("\n\n## Stages\n\n| stage | seconds | figures |\n|---|---|---|\n");
        stages.forEach((name, outcome) -> {
            md.append("| ").append(name).append(" | ")
                    .append(outcome.seconds().isPresent()
                            ? String.format(Locale.ROOT, "%.1f", outcome.seconds().getAsDouble()) : "")
                    .append(" | ").append(figures(outcome.summary())).append(" |\n");
        });
        return md.toString();
    }

    /**
     * Which strategy pruned the job, from which bundle and version, with which parameters and to what sparsity: the
     * prune stage records these, so a job keeps naming the strategy it used after the bundle was swapped.
     */
    private static Map<String, Object> pruning(PruningSummary summary, CompressionRequest request) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("strategy", summary.strategy());
        p.put("bundle", summary.bundle());
        p.put("version", summary.bundleVersion());
        p.put("parameters", new java.util.TreeMap<>(summary.parameters()));
        p.put("sparsity", summary.sparsity());
        p.put("kept", summary.kept());
        p.put("total", summary.total());
        p.put("gradualEpochs", request.pruning().gradualEpochs());
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
        md.append('.');
        if (p.get("gradualEpochs") instanceof Integer gradual && gradual > 0) {
            md.append(" Reached gradually over the first ").append(gradual).append(" fine-tuning epoch")
                    .append(gradual == 1 ? "" : "s").append(" (cubic schedule, smallest magnitudes first).");
        }
        return md.toString();
    }

    /** Where the compressed model's ONNX file is and which form it is in. */
    private static String onnxMarkdown() {
        return "## ONNX\n\nThe compressed model for ONNX Runtime and other runtimes: [" + MODEL_ONNX + "](" + MODEL_ONNX
                + ") (factored form: each decomposed layer a grouped basis convolution and a 1×1 coefficient "
                + "convolution; `bin/penni export JOB --form dense` writes one dense convolution per layer, which "
                + "ONNX Runtime runs faster).\n";
    }

    /** The evaluate stage's own Markdown table of latency and memory, when it produced one. */
    private static String inferenceMarkdown(ArtifactStore store, Map<String, StageOutcome.Completed> stages)
            throws IOException {
        StageOutcome.Completed evaluate = stages.get(StageNames.EVALUATE);
        ArtifactRef ref = evaluate == null ? null : evaluate.outputs().get(INFERENCE_MARKDOWN);
        return ref == null ? "" : "\n" + java.nio.file.Files.readString(store.open(ref)) + "\n";
    }

    /** The few figures of a stage worth a column in the Markdown table of stages. */
    private static String figures(StageSummary summary) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (summary instanceof TrainingSummary t) {
            f.put("accuracy", t.accuracy());
            t.stdRuleSparsity().ifPresent(v -> f.put("stdRuleSparsity", v));
            t.zeroCoefficients().ifPresent(v -> f.put("zeroCoefficients", v));
            t.imagesPerSecond().ifPresent(v -> f.put("imagesPerSecond", v));
            t.resumedFromEpoch().ifPresent(v -> f.put("resumedFromEpoch", v));
        } else if (summary instanceof PruningSummary p) {
            f.put("sparsity", p.sparsity());
            f.put("strategy", p.strategy());
        } else if (summary instanceof EvaluationSummary e) {
            f.put("accuracy", e.accuracy());
        } else if (summary instanceof OtherSummary o) {
            // a third-party stage's figures are only known by name
            for (String key : List.of("accuracy", "stdRuleSparsity", "zeroCoefficients", "sparsity", "imagesPerSecond",
                    "strategy", "resumedFromEpoch")) {
                Optional.ofNullable(o.figures().get(key)).ifPresent(v -> f.put(key, v));
            }
        }
        StringBuilder s = new StringBuilder();
        f.forEach((key, v) -> s.append(s.length() == 0 ? "" : ", ").append(key).append(" ")
                .append(v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v));
        return s.toString();
    }

    private static String curvesCsv(Map<String, StageOutcome.Completed> stages) {
        StringBuilder csv = new StringBuilder("stage,epoch,training,learningRate,loss,accuracy,testAccuracy,"
                + "zeroCoefficients,stdRuleSparsity,imagesPerSecond,seconds\n");
        for (String stage : TRAINING) {
            StageOutcome.Completed outcome = stages.get(stage);
            if (outcome == null || !(outcome.summary() instanceof TrainingSummary training)) {
                continue;
            }
            for (TrainingSummary.Epoch e : training.history()) {
                csv.append(stage).append(',').append(e.epoch()).append(',').append(e.training()).append(',')
                        .append(e.learningRate()).append(',').append(e.loss()).append(',').append(e.accuracy())
                        .append(',').append(e.testAccuracy().isPresent() ? String.valueOf(e.testAccuracy().getAsDouble())
                                : "")
                        .append(',').append(e.zeroCoefficients()).append(',').append(e.stdRuleSparsity()).append(',')
                        .append(e.imagesPerSecond()).append(',').append(e.seconds()).append('\n');
            }
        }
        return csv.toString();
    }
}
