package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Layer;
import io.penni.api.model.Network;
import io.penni.api.model.Padding;

class GraphJsonTest {

    /** One layer of every type. */
    static final Network EVERY_LAYER = new Network("every", List.of(
            new Layer.Input("input", 3, 16, 16),
            new Layer.Conv2d("conv", "input", 8, 3, 3, 1, 1, 1, false),
            new Layer.BatchNorm("bn", "conv", 8, 1e-5, 0.1),
            new Layer.Relu("relu", "bn"),
            new Layer.DecomposedConv2d("dconv", "relu", 8, 8, 3, 1, 1, 5, true),
            new Layer.ClippedRelu("relu6", "dconv", 6),
            new Layer.Add("sum", List.of("relu", "relu6")),
            new Layer.Pool("maxpool", "sum", Layer.PoolKind.MAX, 2, 2, 0),
            new Layer.Pool("avgpool", "maxpool", Layer.PoolKind.AVG, 3, 1, 1),
            new Layer.GlobalAvgPool("gap", "avgpool"),
            new Layer.Flatten("flatten", "gap"),
            new Layer.Dropout("drop", "flatten", 0.25),
            new Layer.Linear("fc", "drop", 10, 8, true)), "fc");

    private static Network read(String json) {
        return GraphJson.read(json.getBytes(StandardCharsets.UTF_8), "g.json");
    }

    private static String error(String json) {
        return assertThrows(ModelException.class, () -> read(json)).getMessage();
    }

    private static String graph(String layers) {
        return "{\"format\": \"penni-model\", \"version\": 1, \"name\": \"g\", \"output\": \"input\", \"layers\": ["
                + "{\"type\": \"input\", \"name\": \"input\", \"channels\": 1, \"height\": 4, \"width\": 4}" + layers
                + "]}";
    }

    @Test
    void everyLayerTypeRoundTrips() {
        assertEquals(EVERY_LAYER, read(GraphJson.write(EVERY_LAYER)));
    }

    @Test
    void writesOneLayerPerLineWithTheTypeFirst() {
        String json = GraphJson.write(EVERY_LAYER);
        assertTrue(json.contains("\n    {\"type\":\"conv2d\",\"name\":\"conv\",\"input\":\"input\",\"outChannels\":8,"
                + "\"inChannels\":3,\"kernel\":3,\"stride\":1,\"padding\":1,\"groups\":1,\"bias\":false},\n"), json);
        assertTrue(json.contains("{\"type\":\"pool\",\"name\":\"maxpool\",\"input\":\"sum\",\"kind\":\"max\","), json);
        assertTrue(json.contains("{\"type\":\"clipped_relu\",\"name\":\"relu6\",\"input\":\"dconv\",\"max\":6.0}"), json);
        assertTrue(json.startsWith("{\n  \"format\": \"penni-model\",\n  \"version\": 1,\n"), json);
    }

    /** Layers padded per side, as ONNX files of TensorFlow's SAME padding or PyTorch's ZeroPad2d import. */
    static final Network PADDED_PER_SIDE = new Network("padded", List.of(
            new Layer.Input("input", 3, 16, 15),
            new Layer.Conv2d("conv", "input", 8, 3, 3, 2, new Padding(0, 0, 1, 1), 1, false),
            new Layer.DecomposedConv2d("dconv", "conv", 8, 8, 2, 1, new Padding(1, 0, 0, 1), 3, true),
            new Layer.Pool("maxpool", "dconv", Layer.PoolKind.MAX, 3, 2, new Padding(0, 1, 1, 0)),
            new Layer.GlobalAvgPool("gap", "maxpool"),
            new Layer.Linear("fc", "gap", 10, 8, true)), "fc");

    @Test
    void perSidePaddingRoundTripsAsPadsAndUniformPaddingStaysOneNumber() {
        String json = GraphJson.write(PADDED_PER_SIDE);

        assertEquals(PADDED_PER_SIDE, read(json));
        assertTrue(json.contains("\"stride\":2,\"pads\":[0,0,1,1],\"groups\":1"), json);
        assertTrue(json.contains("\"kind\":\"max\",\"kernel\":3,\"stride\":2,\"pads\":[0,1,1,0]}"), json);
        assertTrue(!json.contains("\"padding\""), "no uniform padding to write: " + json);
        Layer.Conv2d uniform = (Layer.Conv2d) read(graph(",{\"type\": \"conv2d\", \"name\": \"c\", \"input\":"
                + " \"input\", \"outChannels\": 2, \"inChannels\": 1, \"kernel\": 3, \"stride\": 1, \"pads\": [1, 1, 1,"
                + " 1], \"groups\": 1, \"bias\": false}").replace("\"output\": \"input\"", "\"output\": \"c\""))
                .layers().get(1);
        assertEquals(Padding.of(1), uniform.padding(), "four equal pads are the uniform padding");
    }

    @Test
    void paddingGivenTwiceWronglyOrNotAtAllIsNamed() {
        String pool = ",{\"type\": \"pool\", \"name\": \"p\", \"input\": \"input\", \"kind\": \"max\", \"kernel\": 2,"
                + " \"stride\": 2";
        assertEquals("g.json: layer 1 ('p'): fields 'padding' and 'pads' are both given; give 'padding' when every"
                + " side is padded alike, else 'pads'", error(graph(pool + ", \"padding\": 0, \"pads\": [0, 0, 1, 1]}")));
        assertEquals("g.json: layer 1 ('p'): field 'pads' must be four integers [top, left, bottom, right], was"
                + " [0,1]", error(graph(pool + ", \"pads\": [0, 1]}")));
        assertEquals("g.json: layer 1 ('p'): padding must not be negative, was [0, -1, 0, 0]",
                error(graph(pool + ", \"pads\": [0, -1, 0, 0]}")));
        assertEquals("g.json: layer 1 ('p'): field 'padding' (or 'pads': [top, left, bottom, right]) is missing",
                error(graph(pool + "}")));
        assertEquals("g.json: layer 1 ('r'): unknown field 'pads'; relu has name, input",
                error(graph(",{\"type\": \"relu\", \"name\": \"r\", \"input\": \"input\", \"pads\": [0, 0, 1, 1]}")));
    }

    @Test
    void unknownLayerTypeListsTheKnownTypes() {
        assertEquals("g.json: layer 1 ('c'): unknown type 'conv3d'; types: input, conv2d, decomposed_conv2d, "
                + "batch_norm, relu, clipped_relu, pool, global_avg_pool, add, flatten, linear, dropout",
                error(graph(",{\"type\": \"conv3d\", \"name\": \"c\"}")));
    }

    @Test
    void missingFieldIsNamed() {
        assertEquals("g.json: layer 1 ('r'): field 'input' is missing",
                error(graph(",{\"type\": \"relu\", \"name\": \"r\"}")));
    }

    @Test
    void unknownFieldIsNamedWithTheFieldsTheTypeHas() {
        assertEquals("g.json: layer 1 ('r'): unknown field 'inplace'; relu has name, input",
                error(graph(",{\"type\": \"relu\", \"name\": \"r\", \"input\": \"input\", \"inplace\": true}")));
    }

    @Test
    void fieldOfTheWrongTypeIsNamed() {
        assertEquals("g.json: layer 1 ('d'): field 'rate' must be a number, was \"0.5\"",
                error(graph(",{\"type\": \"dropout\", \"name\": \"d\", \"input\": \"input\", \"rate\": \"0.5\"}")));
    }

    @Test
    void fractionalIntegerFieldIsRejected() {
        assertEquals("g.json: layer 1 ('p'): field 'kernel' must be an integer, was 2.5",
                error(graph(",{\"type\": \"pool\", \"name\": \"p\", \"input\": \"input\", \"kind\": \"max\","
                        + " \"kernel\": 2.5, \"stride\": 2, \"padding\": 0}")));
    }

    @Test
    void unknownPoolKindListsTheKinds() {
        assertEquals("g.json: layer 1 ('p'): field 'kind' must be one of max, avg, was \"min\"",
                error(graph(",{\"type\": \"pool\", \"name\": \"p\", \"input\": \"input\", \"kind\": \"min\","
                        + " \"kernel\": 2, \"stride\": 2, \"padding\": 0}")));
    }

    @Test
    void graphErrorsAreNamedWithTheSource() {
        assertEquals("g.json: layer fc: expects 5 input features, its input 'input' has 16 (1x4x4)",
                error(graph(",{\"type\": \"linear\", \"name\": \"fc\", \"input\": \"input\", \"outFeatures\": 2,"
                        + " \"inFeatures\": 5, \"bias\": true}")));
    }

    @Test
    void newerFormatVersionIsRefused() {
        assertEquals("g.json: format version 2 is newer than this reader understands (1); update PENNI",
                error(graph("").replace("\"version\": 1", "\"version\": 2")));
    }

    @Test
    void otherJsonIsNotAGraph() {
        assertEquals("g.json: not a PENNI model graph (it needs \"format\": \"penni-model\")", error("{\"a\": 1}"));
    }

    @Test
    void invalidJsonIsReportedOnOneLineWithItsPosition() {
        String message = error("{\"format\": ");
        assertTrue(message.startsWith("g.json: not valid JSON: "), message);
        assertTrue(message.contains(" at line 1, column "), message);
        assertEquals(1, message.lines().count(), message);
    }
}
