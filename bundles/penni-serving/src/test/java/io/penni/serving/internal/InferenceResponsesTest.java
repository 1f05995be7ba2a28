package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.model.ActivationShape;

/** Response bodies for a model giving 3 classes. */
class InferenceResponsesTest {

    private static final ModelSignature MODEL = ModelSignature.of(new ActivationShape(1, 1, 1), 3);
    private static final float[] LOGITS = {0.5f, 2f, -1f, 3f, 3f, 1f};

    private static InferenceCall call(int classification, boolean binary) {
        return new InferenceCall(Optional.of("7"), 2, new float[2], new InferenceCall.OutputForm(classification,
                binary));
    }

    @Test
    void logitsAreAnFp32TensorOfOneRowPerImage() throws Exception {
        InferenceResponses.Body body = InferenceResponses.inference("m", "3", MODEL, call(0, false), LOGITS);
        JsonNode json = new ObjectMapper().readTree(body.body());
        assertEquals("m", json.get("model_name").asText());
        assertEquals("3", json.get("model_version").asText());
        assertEquals("7", json.get("id").asText());
        JsonNode output = json.get("outputs").get(0);
        assertEquals("logits", output.get("name").asText());
        assertEquals("FP32", output.get("datatype").asText());
        assertEquals("[2,3]", output.get("shape").toString());
        assertEquals("[0.5,2.0,-1.0,3.0,3.0,1.0]", output.get("data").toString());
        assertEquals(true, body.jsonLength().isEmpty());
    }

    @Test
    void classificationGivesTheBestClassesAsValueColonIndexHighestFirst() throws Exception {
        JsonNode output = new ObjectMapper().readTree(InferenceResponses.inference("m", "1", MODEL, call(2, false),
                LOGITS).body()).get("outputs").get(0);
        assertEquals("BYTES", output.get("datatype").asText());
        assertEquals("[2,2]", output.get("shape").toString());
        // equal values: the lower index first
        assertEquals("[\"2.0:1\",\"0.5:0\",\"3.0:0\",\"3.0:1\"]", output.get("data").toString());
    }

    @Test
    void binaryOutputFollowsTheJsonAsLittleEndianFloats() throws Exception {
        InferenceResponses.Body body = InferenceResponses.inference("m", "1", MODEL, call(0, true), LOGITS);
        int jsonLength = body.jsonLength().orElseThrow();
        JsonNode output = new ObjectMapper().readTree(new String(body.body(), 0, jsonLength, StandardCharsets.UTF_8))
                .get("outputs").get(0);
        assertEquals(24, output.get("parameters").get("binary_data_size").asInt());
        float[] values = new float[6];
        ByteBuffer.wrap(body.body(), jsonLength, 24).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        assertArrayEquals(LOGITS, values);
    }

    @Test
    void anErrorIsTheProtocolsErrorObject() throws Exception {
        assertEquals("{\"error\":\"bad \\\"x\\\"\"}", new String(InferenceResponses.error("bad \"x\""),
                StandardCharsets.UTF_8));
    }
}
