package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.model.Layer;
import io.penni.api.model.Network;

class ModelSummaryTest {

    private static final Network NETWORK = new Network("tiny", List.of(new Layer.Input("input", 2, 8, 8),
            new Layer.DecomposedConv2d("conv1", "input", 4, 2, 3, 1, 1, 5, false),
            new Layer.GlobalAvgPool("gap", "conv1"), new Layer.Linear("fc", "gap", 10, 4, true)), "fc");

    @Test
    void textHasARowPerLayerAndATotalRow() {
        String text = ModelSummary.text(ModelCounter.count(NETWORK));
        List<String> rows = text.lines().filter(l -> l.startsWith("|")).toList();
        assertEquals(2 + 4 + 1, rows.size(), text);
        assertEquals("| layer | type              | output | params |  MACs |      activation bytes |", rows.get(0));
        assertEquals("|-------|-------------------|--------|-------:|------:|----------------------:|", rows.get(1));
        // 5·9 basis values + 40 coefficients; 2·5·9·64 basis MACs + 40·64 coefficient MACs
        assertEquals("| conv1 | decomposed_conv2d | 4x8x8  |     85 | 8,320 | 1,024 + 2,560 scratch |", rows.get(3));
        assertTrue(rows.get(6).startsWith("| total |"), rows.get(6));
    }

    @Test
    void textStatesTheTotalsAndThatFlopsAreTwiceTheMacs() {
        ModelCount count = ModelCounter.count(Architectures.network("resnet18-cifar"));
        String text = ModelSummary.text(count);
        assertTrue(text.contains("FLOPs = 2 x MACs"), text);
        assertTrue(text.contains(String.format("params            %,15d", count.params())), text);
        assertTrue(text.contains(String.format("conv MACs         %,15d", count.convMacs())), text);
        assertTrue(text.contains("peak activations"), text);
    }

    @Test
    void jsonCarriesEveryLayerAndTheTotals() throws Exception {
        ModelCount count = ModelCounter.count(NETWORK);
        JsonNode json = new ObjectMapper().readTree(ModelSummary.json(count));
        assertEquals("tiny", json.get("network").textValue());
        assertEquals(4, json.get("layers").size());
        JsonNode conv = json.get("layers").get(1);
        assertEquals("conv1", conv.get("name").textValue());
        assertEquals(count.layers().get(1).macs(), conv.get("macs").longValue());
        assertEquals(2 * count.layers().get(1).macs(), conv.get("flops").longValue());
        assertEquals(2560, conv.get("intermediateBytes").longValue());
        JsonNode totals = json.get("totals");
        assertEquals(count.params(), totals.get("params").longValue());
        assertEquals(count.macs(), totals.get("macs").longValue());
        assertEquals(count.convMacs(), totals.get("convMacs").longValue());
        assertEquals(count.peakActivationBytes(), totals.get("peakActivationBytes").longValue());
    }
}
