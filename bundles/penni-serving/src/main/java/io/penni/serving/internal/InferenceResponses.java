package io.penni.serving.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes Open Inference Protocol response bodies: the inference response (logits as FP32 {@code [N, classes]}, or
 * the classification extension's BYTES {@code [N, k]} of {@code "value:index"}, as JSON data or, with the binary
 * tensor data extension, as raw bytes after the JSON), and the error body {@code {"error": "..."}}.
 */
final class InferenceResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InferenceResponses() {
    }

    /**
     * A response body and, when binary data follows the JSON, the JSON's length.
     *
     * @param body the bytes to send
     * @param jsonLength the {@code Inference-Header-Content-Length} to send; empty when the body is all JSON
     */
    record Body(byte[] body, OptionalInt jsonLength) {
    }

    /**
     * The inference response.
     *
     * @param model the model's name
     * @param version the version that ran
     * @param signature the model's
     * @param call the request
     * @param logits {@code images × classes} values
     * @return the body
     */
    static Body inference(String model, String version, ModelSignature signature, InferenceCall call,
            float[] logits) {
        int classes = signature.classes();
        int k = call.output().classification();
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("name", signature.outputName());
        byte[] binary = null;
        if (k == 0) {
            output.put("shape", List.of(call.images(), classes));
            output.put("datatype", "FP32");
            if (call.output().binary()) {
                ByteBuffer bytes = ByteBuffer.allocate(logits.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(logits);
                binary = bytes.array();
            } else {
                output.put("data", logits);
            }
        } else {
            String[] best = classify(logits, call.images(), classes, k);
            output.put("shape", List.of(call.images(), k));
            output.put("datatype", "BYTES");
            if (call.output().binary()) {
                binary = lengthPrefixed(best);
            } else {
                output.put("data", best);
            }
        }
        if (binary != null) {
            output.put("parameters", Map.of("binary_data_size", binary.length));
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("model_name", model);
        response.put("model_version", version);
        call.id().ifPresent(id -> response.put("id", id));
        response.put("outputs", List.of(output));
        byte[] json = json(response);
        if (binary == null) {
            return new Body(json, OptionalInt.empty());
        }
        byte[] body = new byte[json.length + binary.length];
        System.arraycopy(json, 0, body, 0, json.length);
        System.arraycopy(binary, 0, body, json.length, binary.length);
        return new Body(body, OptionalInt.of(json.length));
    }

    /**
     * The k highest values of each row, highest first (the lower index first among equal values), each as
     * {@code "value:index"}.
     *
     * @param logits {@code rows × classes} values
     * @param rows rows
     * @param classes values per row
     * @param k classes per row to return
     * @return {@code rows × k} strings, row after row
     */
    static String[] classify(float[] logits, int rows, int classes, int k) {
        String[] out = new String[rows * k];
        for (int r = 0; r < rows; r++) {
            boolean[] taken = new boolean[classes];
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int c = 0; c < classes; c++) {
                    if (!taken[c] && (best < 0 || logits[r * classes + c] > logits[r * classes + best])) {
                        best = c;
                    }
                }
                taken[best] = true;
                out[r * k + j] = logits[r * classes + best] + ":" + best;
            }
        }
        return out;
    }

    /**
     * The error body.
     *
     * @param message the error, for the client
     * @return {@code {"error": message}}
     */
    static byte[] error(String message) {
        return json(Map.of("error", message));
    }

    /**
     * Any JSON body.
     *
     * @param value maps, lists, strings, numbers, booleans
     * @return its UTF-8 JSON
     */
    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response: " + e.getMessage(), e);
        }
    }

    /** BYTES elements in the binary extension: each a 4-byte little-endian length, then its bytes. */
    private static byte[] lengthPrefixed(String[] elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String element : elements) {
            byte[] bytes = element.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length)
                    .array());
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
