package io.penni.model.internal;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of this bundle, strict about what it reads. */
public final class Json {

    /**
     * Rejects duplicate keys (two tensors with one name must not silently become one) and anything after the
     * top-level value.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /**
     * Parses JSON text.
     *
     * @param text the text
     * @return the tree; a missing node for empty text
     * @throws JsonProcessingException if it is not one valid JSON value
     */
    public static JsonNode parse(byte[] text) throws JsonProcessingException {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            // reading from a byte array fails only on bad JSON, which is a JsonProcessingException
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A parse error as one line: Jackson's message without its multi-line source excerpt, with where it is.
     *
     * @param e the error
     * @return e.g. {@code Unexpected character ('}' (code 125)) at line 1, column 14}
     */
    public static String problem(JsonProcessingException e) {
        String message = e.getOriginalMessage().lines().findFirst().orElse("invalid JSON");
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            message += " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        }
        return message;
    }
}
