package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import io.penni.api.model.ActivationShape;

/** Request parsing against a model taking 1×2×2 images and giving 3 classes. */
class InferenceRequestsTest {

    private static final ModelSignature MODEL = ModelSignature.of(new ActivationShape(1, 2, 2), 3);

    private static InferenceCall parse(String json) {
        return InferenceRequests.parse(json.getBytes(StandardCharsets.UTF_8), OptionalInt.empty(), MODEL);
    }

    private static String refusal(String json) {
        BadRequestException e = assertThrows(BadRequestException.class, () -> parse(json));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void readsARequestWrittenAsTheProtocolsExample() {
        InferenceCall call = parse("""
                {
                  "id" : "42",
                  "inputs" : [
                    {
                      "name" : "input",
                      "shape" : [ 2, 1, 2, 2 ],
                      "datatype" : "FP32",
                      "data" : [ 1, 2, 3, 4, 5, 6, 7, 8.5 ]
                    }
                  ],
                  "outputs" : [
                    {
                      "name" : "logits"
                    }
                  ]
                }
                """);
        assertEquals(Optional.of("42"), call.id());
        assertEquals(2, call.images());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8.5f}, call.input());
        assertEquals(InferenceCall.OutputForm.LOGITS, call.output());
    }

    @Test
    void readsNestedDataInRowMajorOrder() {
        InferenceCall call = parse("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32",
                  "data": [[[[1, 2], [3, 4]]]]}]}""");
        assertArrayEquals(new float[] {1, 2, 3, 4}, call.input());
        assertEquals(Optional.empty(), call.id());
    }

    @Test
    void refusesAShapeThatIsNotTheModels() {
        String message = refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 3, 2], "datatype": "FP32", "data": [1,2,3,4,5,6]}]}""");
        assertTrue(message.contains("[1, 1, 3, 2]") && message.contains("[-1, 1, 2, 2]"), message);
        refusal("""
                {"inputs": [{"name": "input", "shape": [1, 2, 2], "datatype": "FP32", "data": [1,2,3,4]}]}""");
        refusal("""
                {"inputs": [{"name": "input", "shape": [0, 1, 2, 2], "datatype": "FP32", "data": []}]}""");
    }

    @Test
    void refusesDataThatDoesNotFillTheShapeExactly() {
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1, 2, 3]}]}""")
                .contains("3 values"));
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1,2,3,4,5]}]}""")
                .contains("more values"));
    }

    @Test
    void refusesAnotherDatatype() {
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "INT64", "data": [1,2,3,4]}]}""")
                .contains("INT64"));
    }

    @Test
    void refusesValuesThatAreNotFiniteFp32Numbers() {
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1, 2, 3, 1e39]}]}""")
                .contains("finite"));
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1, 2, "x", 4]}]}""")
                .contains("numbers"));
        // JSON has no NaN: Jackson refuses the token, so it is malformed JSON
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1, 2, NaN, 4]}]}""")
                .contains("malformed JSON"));
    }

    @Test
    void refusesMalformedJsonAndMissingOrUnknownTensors() {
        assertTrue(refusal("{\"inputs\": [").contains("malformed JSON"));
        refusal("[]");
        refusal("{}");
        assertTrue(refusal("""
                {"inputs": [{"name": "image", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1,2,3,4]}]}""")
                .contains("'input'"));
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1,2,3,4]}],
                 "outputs": [{"name": "probabilities"}]}""").contains("'logits'"));
    }

    @Test
    void readsTheClassificationAndBinaryOutputParameters() {
        InferenceCall call = parse("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1,2,3,4]}],
                 "outputs": [{"name": "logits", "parameters": {"classification": 2, "binary_data": true}}]}""");
        assertEquals(new InferenceCall.OutputForm(2, true), call.output());
        assertTrue(refusal("""
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32", "data": [1,2,3,4]}],
                 "outputs": [{"name": "logits", "parameters": {"classification": 4}}]}""").contains("3 classes"));
    }

    @Test
    void readsBinaryTensorDataAfterTheJson() {
        byte[] json = """
                {"inputs": [{"name": "input", "shape": [1, 1, 2, 2], "datatype": "FP32",
                  "parameters": {"binary_data_size": 16}}]}""".getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(json.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json).putFloat(1).putFloat(-2).putFloat(3.5f).putFloat(4);
        InferenceCall call = InferenceRequests.parse(body.array(), OptionalInt.of(json.length), MODEL);
        assertArrayEquals(new float[] {1, -2, 3.5f, 4}, call.input());
        BadRequestException wrongLength = assertThrows(BadRequestException.class,
                () -> InferenceRequests.parse(body.array(), OptionalInt.of(json.length + 4), MODEL));
        assertEquals(400, wrongLength.status());
    }
}
