package io.penni.model;

import static io.penni.model.internal.TextTables.group;
import static io.penni.model.internal.TextTables.scaled;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.model.internal.Json;
import io.penni.model.internal.TextTables;

/**
 * A model's per-layer table (name, type, output shape, parameters, MACs, activation bytes) with totals, as a
 * Markdown table or as JSON. Counts are per image; FLOPs = 2 × MACs.
 */
public final class ModelSummary {

    private ModelSummary() {
    }

    /**
     * The summary as a Markdown table followed by the totals.
     *
     * @param count the counts
     * @return the text, ending with a newline
     */
    public static String text(ModelCount count) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "type", "output", "params", "MACs", "activation bytes"});
        for (LayerCount layer : count.layers()) {
            String bytes = group(layer.activationBytes())
                    + (layer.intermediateBytes() > 0 ? " + " + group(layer.intermediateBytes()) + " scratch" : "");
            rows.add(new String[] {layer.name(), layer.type(), layer.output().toString(), group(layer.params()),
                    group(layer.macs()), bytes});
        }
        rows.add(new String[] {"total", "", "", group(count.params()), group(count.macs()),
                group(count.activationBytes())});
        StringBuilder out = new StringBuilder();
        out.append("network ").append(count.network()).append(", input ").append(count.input())
                .append(" (counts per image; FLOPs = 2 x MACs)\n\n");
        TextTables.table(out, rows, 3);
        out.append('\n');
        total(out, "params", count.params(), scaled(count.params(), ""));
        total(out, "MACs", count.macs(), scaled(count.macs(), "") + "; FLOPs " + scaled(count.flops(), ""));
        total(out, "conv params", count.convParams(), scaled(count.convParams(), ""));
        total(out, "conv MACs", count.convMacs(),
                scaled(count.convMacs(), "") + "; FLOPs " + scaled(count.convFlops(), ""));
        total(out, "activations", count.activationBytes(),
                scaled(count.activationBytes(), "B") + "; float32, sum of every output");
        total(out, "peak activations", count.peakActivationBytes(),
                scaled(count.peakActivationBytes(), "B") + "; most alive at once, layers in order");
        return out.toString();
    }

    /**
     * The summary as JSON: {@code {"network", "input": [C, H, W], "note", "layers": [{"name", "type",
     * "output": [C, H, W], "params", "macs", "flops", "activationBytes", "intermediateBytes", "convolution"}],
     * "totals": {"params", "macs", "flops", "convParams", "convMacs", "convFlops", "activationBytes",
     * "peakActivationBytes"}}}.
     *
     * @param count the counts
     * @return the JSON text, pretty-printed, ending with a newline
     */
    public static String json(ModelCount count) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("network", count.network());
        root.putArray("input").add(count.input().channels()).add(count.input().height()).add(count.input().width());
        root.put("note", "counts per image; MACs are multiply-accumulates, FLOPs = 2 x MACs; bytes are float32");
        ArrayNode layers = root.putArray("layers");
        for (LayerCount layer : count.layers()) {
            ObjectNode node = layers.addObject();
            node.put("name", layer.name());
            node.put("type", layer.type());
            node.putArray("output").add(layer.output().channels()).add(layer.output().height())
                    .add(layer.output().width());
            node.put("params", layer.params());
            node.put("macs", layer.macs());
            node.put("flops", layer.flops());
            node.put("activationBytes", layer.activationBytes());
            node.put("intermediateBytes", layer.intermediateBytes());
            node.put("convolution", layer.convolution());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("params", count.params());
        totals.put("macs", count.macs());
        totals.put("flops", count.flops());
        totals.put("convParams", count.convParams());
        totals.put("convMacs", count.convMacs());
        totals.put("convFlops", count.convFlops());
        totals.put("activationBytes", count.activationBytes());
        totals.put("peakActivationBytes", count.peakActivationBytes());
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of numbers and strings is always writable", e);
        }
    }

    private static void total(StringBuilder out, String label, long value, String note) {
        out.append(String.format(Locale.ROOT, "%-16s  %15s  (%s)%n", label, group(value), note));
    }
}
