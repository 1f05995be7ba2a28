package io.penni.model;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.stage.DecompositionSummary;
import io.penni.api.stage.EvaluationSummary;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.PruningSummary;
import io.penni.api.stage.ShrinkingSummary;
import io.penni.api.stage.StageSummary;
import io.penni.api.stage.TrainingSummary;

/**
 * The JSON form of a {@link StageSummary}, as stage records ({@code <stage>/outcome.json}), the report and the
 * evaluate stage's {@code inference.json} store it: one object whose field names are the summary's figures
 * (camelCase, the evaluation's in snake_case as its tables always were), absent optional figures left out, and a
 * {@value #KIND} discriminator. An {@link OtherSummary}'s figures are the object's fields.
 */
public final class StageSummaryJson {

    /** The discriminator field. */
    public static final String KIND = OtherSummary.RESERVED;

    private static final ObjectMapper JSON = new ObjectMapper();

    private StageSummaryJson() {
    }

    /**
     * @param summary a summary
     * @return its kind, the value of {@value #KIND}
     */
    public static String kind(StageSummary summary) {
        if (summary instanceof TrainingSummary) {
            return "training";
        } else if (summary instanceof DecompositionSummary) {
            return "decomposition";
        } else if (summary instanceof PruningSummary) {
            return "pruning";
        } else if (summary instanceof ShrinkingSummary) {
            return "shrinking";
        } else if (summary instanceof EvaluationSummary) {
            return "evaluation";
        }
        return "other";
    }

    /**
     * The summary with its {@value #KIND}, as a stage record stores it.
     *
     * @param summary the summary
     * @return the JSON object
     */
    public static ObjectNode write(StageSummary summary) {
        ObjectNode node = JSON.createObjectNode();
        node.put(KIND, kind(summary));
        node.setAll(fields(summary));
        return node;
    }

    /**
     * The summary's figures without the discriminator, as the report embeds them.
     *
     * @param summary the summary
     * @return the JSON object
     */
    public static ObjectNode fields(StageSummary summary) {
        if (summary instanceof TrainingSummary t) {
            return training(t);
        } else if (summary instanceof DecompositionSummary d) {
            return decomposition(d);
        } else if (summary instanceof PruningSummary p) {
            return pruning(p);
        } else if (summary instanceof ShrinkingSummary s) {
            return shrinking(s);
        } else if (summary instanceof EvaluationSummary e) {
            return evaluation(e);
        }
        return JSON.valueToTree(((OtherSummary) summary).figures());
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @param node the JSON object
     * @return the summary
     * @throws IllegalArgumentException when the object has no known {@value #KIND} or misses a figure
     */
    public static StageSummary read(JsonNode node) {
        String kind = node.path(KIND).asText("");
        return switch (kind) {
            case "training" -> readTraining(node);
            case "decomposition" -> readDecomposition(node);
            case "pruning" -> readPruning(node);
            case "shrinking" -> readShrinking(node);
            case "evaluation" -> readEvaluation(node);
            case "other" -> {
                Map<String, Object> figures = JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {
                });
                figures.remove(KIND);
                yield new OtherSummary(figures);
            }
            default -> throw new IllegalArgumentException("a stage summary has no known kind: '" + kind + "'");
        };
    }

    /**
     * @param history a training summary's epochs
     * @return them as a JSON array of objects, as the report's learning curves hold them
     */
    public static ArrayNode history(List<TrainingSummary.Epoch> history) {
        ArrayNode a = JSON.createArrayNode();
        for (TrainingSummary.Epoch e : history) {
            ObjectNode m = a.addObject();
            m.put("epoch", e.epoch());
            m.put("training", e.training());
            m.put("learningRate", e.learningRate());
            m.put("loss", e.loss());
            m.put("accuracy", e.accuracy());
            e.testAccuracy().ifPresent(v -> m.put("testAccuracy", v));
            e.testLoss().ifPresent(v -> m.put("testLoss", v));
            m.put("zeroCoefficients", e.zeroCoefficients());
            m.put("stdRuleSparsity", e.stdRuleSparsity());
            m.put("imagesPerSecond", e.imagesPerSecond());
            m.put("seconds", e.seconds());
        }
        return a;
    }

    private static ObjectNode training(TrainingSummary t) {
        ObjectNode n = JSON.valueToTree(t.headline());
        n.set("history", history(t.history()));
        return n;
    }

    private static TrainingSummary readTraining(JsonNode n) {
        List<TrainingSummary.Epoch> history = list(n.path("history"), e -> new TrainingSummary.Epoch(
                required(e, "epoch").asInt(), required(e, "training").asText(), required(e, "learningRate").asDouble(),
                required(e, "loss").asDouble(), required(e, "accuracy").asDouble(), optionalDouble(e, "testAccuracy"),
                optionalDouble(e, "testLoss"), required(e, "zeroCoefficients").asDouble(),
                required(e, "stdRuleSparsity").asDouble(), required(e, "imagesPerSecond").asDouble(),
                required(e, "seconds").asDouble()));
        return new TrainingSummary(required(n, "accuracy").asDouble(), required(n, "top5").asDouble(),
                required(n, "loss").asDouble(), required(n, "epochs").asInt(), optionalInt(n, "resumedFromEpoch"),
                optionalDouble(n, "imagesPerSecond"), required(n, "trainingSeconds").asDouble(),
                required(n, "params").asLong(), required(n, "macs").asLong(), history,
                n.has("peakResidentBytes") ? OptionalLong.of(n.get("peakResidentBytes").asLong()) : OptionalLong.empty(),
                n.has("source") ? Optional.of(n.get("source").asText()) : Optional.empty(),
                optionalDouble(n, "stdRuleSparsity"), optionalDouble(n, "zeroCoefficients"), optionalDouble(n, "l1"),
                optionalInt(n, "switchEvery"), optionalInt(n, "maskedTensors"));
    }

    private static ObjectNode decomposition(DecompositionSummary d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("bases", d.bases());
        ArrayNode layers = n.putArray("layers");
        for (DecompositionSummary.Layer l : d.layers()) {
            layers.addObject().put("name", l.name()).put("kernel", l.kernel()).put("bases", l.bases())
                    .put("relativeError", l.relativeError());
        }
        n.put("maxRelativeError", d.maxRelativeError());
        return n;
    }

    private static DecompositionSummary readDecomposition(JsonNode n) {
        return new DecompositionSummary(required(n, "bases").asInt(), list(n.path("layers"), l ->
                new DecompositionSummary.Layer(required(l, "name").asText(), required(l, "kernel").asInt(),
                        required(l, "bases").asInt(), required(l, "relativeError").asDouble())),
                required(n, "maxRelativeError").asDouble());
    }

    private static ObjectNode pruning(PruningSummary p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("strategy", p.strategy());
        n.put("bundle", p.bundle());
        n.put("bundleVersion", p.bundleVersion());
        ObjectNode parameters = n.putObject("parameters");
        p.parameters().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> parameters.put(e.getKey(), e.getValue()));
        ArrayNode layers = n.putArray("layers");
        for (PruningSummary.Layer l : p.layers()) {
            layers.addObject().put("name", l.name()).put("kind", l.kind()).put("kept", l.kept()).put("total", l.total())
                    .put("sparsity", l.sparsity());
        }
        n.put("kept", p.kept());
        n.put("total", p.total());
        n.put("sparsity", p.sparsity());
        ArrayNode violations = n.putArray("violations");
        p.violations().forEach(violations::add);
        return n;
    }

    private static PruningSummary readPruning(JsonNode n) {
        Map<String, String> parameters = new LinkedHashMap<>();
        required(n, "parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        return new PruningSummary(required(n, "strategy").asText(), required(n, "bundle").asText(),
                required(n, "bundleVersion").asText(), parameters, list(n.path("layers"), l ->
                        new PruningSummary.Layer(required(l, "name").asText(), required(l, "kind").asText(),
                                required(l, "kept").asLong(), required(l, "total").asLong(),
                                required(l, "sparsity").asDouble())),
                required(n, "kept").asLong(), required(n, "total").asLong(), required(n, "sparsity").asDouble(),
                list(n.path("violations"), JsonNode::asText));
    }

    private static ObjectNode shrinking(ShrinkingSummary s) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode layers = n.putArray("layers");
        for (ShrinkingSummary.Layer l : s.layers()) {
            ObjectNode row = layers.addObject().put("name", l.name());
            row.set("outputs", change(l.outputs()));
            row.set("inputs", change(l.inputs()));
            row.set("bases", change(l.bases()));
        }
        n.set("params", change(s.params()));
        n.set("macs", change(s.macs()));
        return n;
    }

    private static ShrinkingSummary readShrinking(JsonNode n) {
        return new ShrinkingSummary(list(n.path("layers"), l -> new ShrinkingSummary.Layer(required(l, "name").asText(),
                readChange(required(l, "outputs")), readChange(required(l, "inputs")), readChange(required(l, "bases")))),
                readChange(required(n, "params")), readChange(required(n, "macs")));
    }

    private static ObjectNode change(ShrinkingSummary.Change c) {
        return JSON.createObjectNode().put("before", c.before()).put("after", c.after());
    }

    private static ShrinkingSummary.Change readChange(JsonNode n) {
        return new ShrinkingSummary.Change(required(n, "before").asLong(), required(n, "after").asLong());
    }

    private static ObjectNode evaluation(EvaluationSummary e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reference_backend", e.referenceBackend());
        n.put("test_images", e.testImages());
        n.putObject("macs_per_image").put("compressed", e.macsPerImage().compressed())
                .put("dense", e.macsPerImage().dense());
        ObjectNode accuracy = n.putObject("accuracy");
        e.accuracy().forEach(accuracy::put);
        n.put("dense_accuracy", e.denseAccuracy());
        ObjectNode latency = n.putObject("latency");
        e.latency().forEach((backend, table) -> latency.set(backend, table(table, StageSummaryJson::latency)));
        n.set("dense_latency", table(e.denseLatency(), StageSummaryJson::latency));
        ObjectNode memory = n.putObject("memory");
        e.memory().forEach((backend, table) -> memory.set(backend, table(table, StageSummaryJson::memory)));
        n.set("dense_memory", table(e.denseMemory(), StageSummaryJson::memory));
        n.set("details", JSON.valueToTree(e.details()));
        return n;
    }

    private static EvaluationSummary readEvaluation(JsonNode n) {
        Map<String, Double> accuracy = new LinkedHashMap<>();
        required(n, "accuracy").fields().forEachRemaining(e -> accuracy.put(e.getKey(), e.getValue().asDouble()));
        Map<String, Map<String, EvaluationSummary.Latency>> latency = new LinkedHashMap<>();
        required(n, "latency").fields().forEachRemaining(e -> latency.put(e.getKey(),
                readTable(e.getValue(), StageSummaryJson::readLatency)));
        Map<String, Map<String, EvaluationSummary.Memory>> memory = new LinkedHashMap<>();
        required(n, "memory").fields().forEachRemaining(e -> memory.put(e.getKey(),
                readTable(e.getValue(), StageSummaryJson::readMemory)));
        JsonNode macs = required(n, "macs_per_image");
        Map<String, Map<String, Object>> details = JSON.convertValue(n.path("details").isObject() ? n.get("details")
                : JSON.createObjectNode(), new TypeReference<LinkedHashMap<String, Map<String, Object>>>() {
                });
        return new EvaluationSummary(required(n, "reference_backend").asText(), required(n, "test_images").asLong(),
                new EvaluationSummary.Macs(required(macs, "compressed").asLong(), required(macs, "dense").asLong()),
                accuracy, required(n, "dense_accuracy").asDouble(), latency,
                readTable(required(n, "dense_latency"), StageSummaryJson::readLatency), memory,
                readTable(required(n, "dense_memory"), StageSummaryJson::readMemory), details);
    }

    private static <T> ObjectNode table(Map<String, T> rows, Function<T, ObjectNode> row) {
        ObjectNode n = JSON.createObjectNode();
        rows.forEach((k, v) -> n.set(k, row.apply(v)));
        return n;
    }

    private static <T> Map<String, T> readTable(JsonNode n, Function<JsonNode, T> row) {
        Map<String, T> rows = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> rows.put(e.getKey(), row.apply(e.getValue())));
        return rows;
    }

    private static ObjectNode latency(EvaluationSummary.Latency l) {
        return JSON.createObjectNode().put("median_ms", l.medianMs()).put("p95_ms", l.p95Ms())
                .put("images_per_second", l.imagesPerSecond()).put("gflops", l.gflops())
                .put("speedup_vs_dense", l.speedupVsDense()).put("runs", l.runs());
    }

    private static EvaluationSummary.Latency readLatency(JsonNode n) {
        return new EvaluationSummary.Latency(required(n, "median_ms").asDouble(), required(n, "p95_ms").asDouble(),
                required(n, "images_per_second").asDouble(), required(n, "gflops").asDouble(),
                required(n, "speedup_vs_dense").asDouble(), required(n, "runs").asInt());
    }

    private static ObjectNode memory(EvaluationSummary.Memory m) {
        return JSON.createObjectNode().put("weight_bytes", m.weightBytes()).put("workspace_bytes", m.workspaceBytes())
                .put("total_bytes", m.totalBytes()).put("ratio_vs_dense", m.ratioVsDense());
    }

    private static EvaluationSummary.Memory readMemory(JsonNode n) {
        return new EvaluationSummary.Memory(required(n, "weight_bytes").asLong(), required(n, "workspace_bytes").asLong(),
                required(n, "total_bytes").asLong(), required(n, "ratio_vs_dense").asDouble());
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("a stage summary misses '" + field + "'");
        }
        return v;
    }

    private static OptionalDouble optionalDouble(JsonNode n, String field) {
        return n.hasNonNull(field) ? OptionalDouble.of(n.get(field).asDouble()) : OptionalDouble.empty();
    }

    private static OptionalInt optionalInt(JsonNode n, String field) {
        return n.hasNonNull(field) ? OptionalInt.of(n.get(field).asInt()) : OptionalInt.empty();
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> item) {
        List<T> out = new ArrayList<>();
        Iterator<JsonNode> it = array.elements();
        while (it.hasNext()) {
            out.add(item.apply(it.next()));
        }
        return out;
    }
}
