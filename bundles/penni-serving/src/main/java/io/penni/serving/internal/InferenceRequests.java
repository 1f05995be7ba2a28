package io.penni.serving.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads an Open Inference Protocol request body against a model's {@link ModelSignature}: one input named as the
 * model's, datatype FP32, shape {@code [N, C, H, W]} with the model's C, H and W, data as a flat row-major array or
 * nested arrays of that shape, every value finite; or, with the binary tensor data extension, the input's
 * {@code binary_data_size} raw little-endian bytes after the JSON. At most one requested output, the model's; its
 * {@code classification} parameter asks for the k best classes instead of the logits, its {@code binary_data}
 * parameter for raw bytes. Anything else is a {@link BadRequestException} naming the field.
 */
final class InferenceRequests {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final String FP32 = "FP32";

    private InferenceRequests() {
    }

    /**
     * Parses a request.
     *
     * @param body the whole body
     * @param jsonLength the {@code Inference-Header-Content-Length} header: the JSON's length when binary data
     *        follows it; empty when the body is all JSON
     * @param signature the model's
     * @return the checked call
     * @throws BadRequestException naming what is wrong
     */
    static InferenceCall parse(byte[] body, OptionalInt jsonLength, ModelSignature signature) {
        int headerLength = jsonLength.orElse(body.length);
        if (headerLength < 0 || headerLength > body.length) {
            throw new BadRequestException("Inference-Header-Content-Length is " + headerLength + " but the body has "
                    + body.length + " bytes");
        }
        JsonNode request;
        try {
            request = JSON.readTree(body, 0, headerLength);
        } catch (IOException e) {
            throw new BadRequestException("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (request == null || !request.isObject()) {
            throw new BadRequestException("the body must be a JSON object with \"inputs\"");
        }
        Optional<String> id = optionalText(request, "id", "id");
        JsonNode inputs = request.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            throw new BadRequestException("\"inputs\" must be an array of exactly one tensor, the model's input '"
                    + signature.inputName() + "' " + metadataShape(signature));
        }
        JsonNode input = inputs.get(0);
        if (!input.isObject()) {
            throw new BadRequestException("inputs[0] must be an object");
        }
        String name = requiredText(input, "name", "inputs[0].name");
        if (!name.equals(signature.inputName())) {
            throw new BadRequestException("inputs[0].name is '" + name + "' but the model's input is '"
                    + signature.inputName() + "'");
        }
        String datatype = requiredText(input, "datatype", "inputs[0].datatype");
        if (!datatype.equals(FP32)) {
            throw new BadRequestException("inputs[0].datatype is '" + datatype + "' but the model's input is " + FP32);
        }
        int images = checkShape(input.get("shape"), signature);
        int count = Math.multiplyExact(images, signature.imageSize());
        float[] values;
        OptionalInt binarySize = binaryDataSize(input.get("parameters"), "inputs[0].parameters");
        if (binarySize.isPresent()) {
            values = binaryValues(body, headerLength, binarySize.getAsInt(), count);
        } else {
            if (headerLength != body.length) {
                throw new BadRequestException((body.length - headerLength) + " bytes follow the JSON but no input "
                        + "has a binary_data_size parameter");
            }
            values = new float[count];
            int filled = flatten(input.get("data"), values, 0, "inputs[0].data");
            if (filled != count) {
                throw new BadRequestException("inputs[0].data has " + filled + " values but shape "
                        + input.get("shape") + " needs " + count);
            }
        }
        for (int i = 0; i < values.length; i++) {
            // all exponent bits set: NaN or an infinity (the bit test is what Float.isFinite means, without a call)
            if ((Float.floatToRawIntBits(values[i]) & 0x7f80_0000) == 0x7f80_0000) {
                throw new BadRequestException("inputs[0].data[" + i + "] is " + values[i]
                        + "; every value must be a finite FP32 number");
            }
        }
        return new InferenceCall(id, images, values, outputForm(request.get("outputs"), signature));
    }

    private static int checkShape(JsonNode shape, ModelSignature signature) {
        if (shape == null || !shape.isArray()) {
            throw new BadRequestException("inputs[0].shape is missing; the model's input is "
                    + metadataShape(signature));
        }
        int[] expected = {-1, signature.inputShape().channels(), signature.inputShape().height(),
            signature.inputShape().width()};
        boolean fits = shape.size() == 4;
        long[] given = new long[shape.size()];
        for (int i = 0; i < shape.size(); i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new BadRequestException("inputs[0].shape[" + i + "] is " + d
                        + "; every dimension must be a non-negative integer");
            }
            given[i] = d.asLong();
            fits &= i < expected.length && (expected[i] == -1 ? given[i] >= 1 && given[i] <= Integer.MAX_VALUE
                    : given[i] == expected[i]);
        }
        if (!fits) {
            throw new BadRequestException("inputs[0].shape is " + Arrays.toString(given)
                    + " but the model's input is " + metadataShape(signature) + " (N >= 1 images)");
        }
        if (given[0] * signature.imageSize() > Integer.MAX_VALUE - 8) {
            throw new BadRequestException("inputs[0].shape " + Arrays.toString(given) + " is too large");
        }
        return (int) given[0];
    }

    /** Copies numbers, flat or nested arrays, into {@code out} from {@code at}; returns the index after the last. */
    private static int flatten(JsonNode data, float[] out, int at, String where) {
        if (data == null || !data.isArray()) {
            throw new BadRequestException(where + " must be an array of numbers");
        }
        int next = at;
        for (Iterator<JsonNode> it = data.elements(); it.hasNext();) {
            JsonNode value = it.next();
            if (value.isArray()) {
                next = flatten(value, out, next, where);
            } else if (value.isNumber()) {
                if (next >= out.length) {
                    throw new BadRequestException(where + " has more values than the shape needs (" + out.length
                            + ")");
                }
                out[next++] = value.floatValue();
            } else {
                throw new BadRequestException(where + " holds " + value.getNodeType().name().toLowerCase()
                        + " " + abbreviate(value.toString()) + "; FP32 data must be numbers");
            }
        }
        return next;
    }

    private static float[] binaryValues(byte[] body, int headerLength, int size, int count) {
        if ((long) size != (long) count * Float.BYTES) {
            throw new BadRequestException("inputs[0].parameters.binary_data_size is " + size + " but the shape needs "
                    + count + " FP32 values (" + (long) count * Float.BYTES + " bytes)");
        }
        if (body.length - headerLength != size) {
            throw new BadRequestException((body.length - headerLength) + " bytes follow the JSON but "
                    + "inputs[0].parameters.binary_data_size is " + size);
        }
        float[] values = new float[count];
        ByteBuffer.wrap(body, headerLength, size).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static InferenceCall.OutputForm outputForm(JsonNode outputs, ModelSignature signature) {
        if (outputs == null) {
            return InferenceCall.OutputForm.LOGITS;
        }
        if (!outputs.isArray() || outputs.size() > 1) {
            throw new BadRequestException("\"outputs\" must be an array of at most one tensor, the model's output '"
                    + signature.outputName() + "'");
        }
        if (outputs.isEmpty()) {
            return InferenceCall.OutputForm.LOGITS;
        }
        JsonNode output = outputs.get(0);
        String name = requiredText(output, "name", "outputs[0].name");
        if (!name.equals(signature.outputName())) {
            throw new BadRequestException("outputs[0].name is '" + name + "' but the model's output is '"
                    + signature.outputName() + "'");
        }
        JsonNode parameters = output.get("parameters");
        if (parameters == null) {
            return InferenceCall.OutputForm.LOGITS;
        }
        if (!parameters.isObject()) {
            throw new BadRequestException("outputs[0].parameters must be an object");
        }
        int classification = 0;
        JsonNode k = parameters.get("classification");
        if (k != null) {
            if (!k.canConvertToExactIntegral() || k.asLong() < 1 || k.asLong() > signature.classes()) {
                throw new BadRequestException("outputs[0].parameters.classification is " + k
                        + "; it must be an integer from 1 to the model's " + signature.classes() + " classes");
            }
            classification = k.asInt();
        }
        JsonNode binary = parameters.get("binary_data");
        if (binary != null && !binary.isBoolean()) {
            throw new BadRequestException("outputs[0].parameters.binary_data must be true or false");
        }
        return new InferenceCall.OutputForm(classification, binary != null && binary.booleanValue());
    }

    private static OptionalInt binaryDataSize(JsonNode parameters, String where) {
        if (parameters == null) {
            return OptionalInt.empty();
        }
        if (!parameters.isObject()) {
            throw new BadRequestException(where + " must be an object");
        }
        JsonNode size = parameters.get("binary_data_size");
        if (size == null) {
            return OptionalInt.empty();
        }
        if (!size.canConvertToExactIntegral() || size.asLong() < 0 || size.asLong() > Integer.MAX_VALUE) {
            throw new BadRequestException(where + ".binary_data_size is " + size + "; it must be a byte count");
        }
        return OptionalInt.of(size.asInt());
    }

    private static String requiredText(JsonNode node, String field, String where) {
        return optionalText(node, field, where).orElseThrow(() -> new BadRequestException(where + " is missing"));
    }

    private static Optional<String> optionalText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new BadRequestException(where + " must be a string");
        }
        return Optional.of(value.textValue());
    }

    /**
     * The input's shape as the metadata endpoint states it.
     *
     * @param signature the model's
     * @return e.g. {@code [-1, 1, 28, 28]}
     */
    static String metadataShape(ModelSignature signature) {
        return "[-1, " + signature.inputShape().channels() + ", " + signature.inputShape().height() + ", "
                + signature.inputShape().width() + "]";
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    private static String firstLine(String message) {
        String text = message == null ? "unreadable" : message;
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
