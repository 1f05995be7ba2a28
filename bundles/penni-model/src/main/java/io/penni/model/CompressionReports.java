package io.penni.model;

import static io.penni.model.internal.TextTables.group;
import static io.penni.model.internal.TextTables.scaled;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.internal.Json;
import io.penni.model.internal.TextTables;

/**
 * Builds and renders {@link CompressionReport}s. It needs only models, not the shrinker: the compressed model
 * carries each layer's sizes after shrinking under the same layer names.
 */
public final class CompressionReports {

    private CompressionReports() {
    }

    /**
     * Builds a report without accuracies.
     *
     * @param dense the original model: "before" of the whole-network figures
     * @param decomposed the decomposed (and pruned) model before shrinking: "before" of the per-layer table
     * @param compressed the shrunk model: "after" of both
     * @return the report
     * @throws ModelException if a model is invalid or a convolution of {@code decomposed} is missing from
     *         {@code compressed}
     */
    public static CompressionReport build(Model dense, Model decomposed, Model compressed) {
        ModelParameters.validate(decomposed);
        ModelParameters.validate(compressed);
        Map<String, Layer> after = new HashMap<>();
        compressed.network().layers().forEach(l -> after.put(l.name(), l));
        List<LayerRow> rows = new ArrayList<>();
        for (Layer layer : decomposed.network().layers()) {
            Optional<Convolution> conv = layer.accept(CONVOLUTION);
            if (conv.isEmpty()) {
                continue;
            }
            Optional<Convolution> shrunk = Optional.ofNullable(after.get(layer.name()))
                    .flatMap(l -> l.accept(CONVOLUTION));
            if (shrunk.isEmpty()) {
                throw new ModelException("layer " + layer.name() + ": a convolution of the decomposed model, but not "
                        + "of the compressed model " + compressed.network().name());
            }
            Tensor before = conv.get().coefficients(decomposed);
            Tensor now = shrunk.get().coefficients(compressed);
            rows.add(new LayerRow(layer.name(), conv.get().kernel(), conv.get().width(), shrunk.get().width(),
                    conv.get().bases(), shrunk.get().bases(), ModelCounter.nonZero(before), ModelCounter.nonZero(now),
                    before.size(), now.size()));
        }
        return new CompressionReport(decomposed.network().name(), rows, ModelCounter.count(dense),
                ModelCounter.count(compressed), OptionalDouble.empty(), OptionalDouble.empty());
    }

    /**
     * What the report's table says of a convolution.
     *
     * @param name the layer's name
     * @param kernel kernel size
     * @param width output channels
     * @param bases basis kernels, 0 for a dense convolution
     * @param parameter the parameter whose non-zeros are counted: coefficients, or a dense convolution's weight
     */
    private record Convolution(String name, int kernel, int width, int bases, String parameter) {
        Tensor coefficients(Model model) {
            return model.parameters().get(ParameterNames.of(name, parameter));
        }
    }

    /** A convolution's figures, empty for every other layer. */
    private static final Layer.Visitor<Optional<Convolution>> CONVOLUTION = new Layer.Visitor<>() {
        @Override
        public Optional<Convolution> visitConv2d(Layer.Conv2d l) {
            return Optional.of(new Convolution(l.name(), l.kernel(), l.outChannels(), 0, ParameterNames.WEIGHT));
        }

        @Override
        public Optional<Convolution> visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            return Optional.of(new Convolution(l.name(), l.kernel(), l.outChannels(), l.bases(),
                    ParameterNames.COEFFICIENTS));
        }

        @Override
        public Optional<Convolution> visitInput(Layer.Input l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitBatchNorm(Layer.BatchNorm l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitRelu(Layer.Relu l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitClippedRelu(Layer.ClippedRelu l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitPool(Layer.Pool l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitGlobalAvgPool(Layer.GlobalAvgPool l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitAdd(Layer.Add l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitFlatten(Layer.Flatten l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitLinear(Layer.Linear l) {
            return Optional.empty();
        }

        @Override
        public Optional<Convolution> visitDropout(Layer.Dropout l) {
            return Optional.empty();
        }
    };

    /**
     * The report as JSON. Figures before and after are nested objects: {@code "params": {"before": …, "after":
     * …}}; likewise {@code macs}, {@code activations} (bytes, sum of every layer's output), {@code
     * peakActivations}, {@code conv.params}, {@code conv.macs}; accuracies are {@code baseline.accuracy} and
     * {@code compressed.accuracy} (null until measured). Each of {@code layers[]} has {@code name},
     * {@code kernel}, {@code width}, {@code basis}, {@code coefs.nnz}, {@code coefs.total} and {@code sparsity}
     * (percent), each with {@code before} and {@code after}; {@code totals} sums the coefficient columns.
     *
     * @param report the report
     * @return pretty-printed JSON ending with a newline
     */
    public static String json(CompressionReport report) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("network", report.network());
        accuracy(root.putObject("baseline"), report.baselineAccuracy());
        accuracy(root.putObject("compressed"), report.compressedAccuracy());
        ModelCount dense = report.dense();
        ModelCount compressed = report.compressed();
        change(root, "params", dense.params(), compressed.params());
        change(root, "macs", dense.macs(), compressed.macs());
        change(root, "activations", dense.activationBytes(), compressed.activationBytes());
        change(root, "peakActivations", dense.peakActivationBytes(), compressed.peakActivationBytes());
        ObjectNode conv = root.putObject("conv");
        change(conv, "params", dense.convParams(), compressed.convParams());
        change(conv, "macs", dense.convMacs(), compressed.convMacs());
        ArrayNode layers = root.putArray("layers");
        for (LayerRow row : report.layers()) {
            ObjectNode layer = layers.addObject();
            layer.put("name", row.name());
            layer.put("kernel", row.kernel());
            change(layer, "width", row.widthBefore(), row.widthAfter());
            change(layer, "basis", row.basesBefore(), row.basesAfter());
            coefficients(layer, row.nonZeroBefore(), row.nonZeroAfter(), row.totalBefore(), row.totalAfter());
            ObjectNode sparsity = layer.putObject("sparsity");
            sparsity.put("before", row.sparsityBefore());
            sparsity.put("after", row.sparsityAfter());
        }
        ObjectNode totals = root.putObject("totals");
        coefficients(totals, report.nonZeroBefore(), report.nonZeroAfter(), report.totalBefore(),
                report.totalAfter());
        ObjectNode sparsity = totals.putObject("sparsity");
        sparsity.put("before", report.sparsityBefore());
        sparsity.put("after", report.sparsityAfter());
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of numbers and strings is always writable", e);
        }
    }

    private static void accuracy(ObjectNode node, OptionalDouble accuracy) {
        if (accuracy.isPresent()) {
            node.put("accuracy", accuracy.getAsDouble());
        } else {
            node.putNull("accuracy");
        }
    }

    private static void change(ObjectNode parent, String field, long before, long after) {
        ObjectNode node = parent.putObject(field);
        node.put("before", before);
        node.put("after", after);
    }

    private static void coefficients(ObjectNode parent, long nonZeroBefore, long nonZeroAfter, long totalBefore,
            long totalAfter) {
        ObjectNode coefs = parent.putObject("coefs");
        change(coefs, "nnz", nonZeroBefore, nonZeroAfter);
        change(coefs, "total", totalBefore, totalAfter);
    }

    /**
     * The report as Markdown: the per-layer table (each cell "before → after"; bases "–" for dense layers) with a
     * total row, then the whole-network figures with their reduction factors, then the accuracies.
     *
     * @param report the report
     * @return the text, ending with a newline
     */
    public static String markdown(CompressionReport report) {
        StringBuilder out = new StringBuilder();
        out.append("## ").append(report.network()).append(": per-layer compression\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "kernel", "width", "bases", "coefficients (nnz / total)", "sparsity"});
        for (LayerRow row : report.layers()) {
            rows.add(new String[] {row.name(), row.kernel() + "x" + row.kernel(),
                row.widthBefore() + " → " + row.widthAfter(),
                row.basesBefore() == 0 ? "–" : row.basesBefore() + " → " + row.basesAfter(),
                group(row.nonZeroBefore()) + " / " + group(row.totalBefore()) + " → " + group(row.nonZeroAfter())
                        + " / " + group(row.totalAfter()),
                percent(row.sparsityBefore()) + " → " + percent(row.sparsityAfter())});
        }
        rows.add(new String[] {"total", "", "", "",
            group(report.nonZeroBefore()) + " / " + group(report.totalBefore()) + " → " + group(report.nonZeroAfter())
                    + " / " + group(report.totalAfter()),
            percent(report.sparsityBefore()) + " → " + percent(report.sparsityAfter())});
        TextTables.table(out, rows, 1);
        out.append("\n## ").append(report.network()).append(": dense → compressed (per image)\n\n");
        ModelCount dense = report.dense();
        ModelCount compressed = report.compressed();
        List<String[]> totals = new ArrayList<>();
        totals.add(new String[] {"", "dense", "compressed", "change"});
        totals.add(figures("params", dense.params(), compressed.params(), ""));
        totals.add(figures("MACs", dense.macs(), compressed.macs(), ""));
        totals.add(figures("conv params", dense.convParams(), compressed.convParams(), ""));
        totals.add(figures("conv MACs", dense.convMacs(), compressed.convMacs(), ""));
        totals.add(figures("activations", dense.activationBytes(), compressed.activationBytes(), "B"));
        totals.add(figures("peak activations", dense.peakActivationBytes(), compressed.peakActivationBytes(), "B"));
        totals.add(new String[] {"accuracy", accuracy(report.baselineAccuracy()),
            accuracy(report.compressedAccuracy()), ""});
        TextTables.table(out, totals, 1);
        return out.toString();
    }

    private static String[] figures(String label, long before, long after, String unit) {
        // a change says which way it goes: a decomposed layer's intermediate maps can make activations grow
        String change = before == after ? "same" : after == 0 || before == 0 ? ""
                : after < before ? String.format(Locale.ROOT, "%.2fx smaller", (double) before / after)
                : String.format(Locale.ROOT, "%.2fx larger", (double) after / before);
        return new String[] {label, scaled(before, unit), scaled(after, unit), change};
    }

    private static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value);
    }

    private static String accuracy(OptionalDouble accuracy) {
        return accuracy.isPresent() ? percent(100 * accuracy.getAsDouble()) : "not measured";
    }
}
