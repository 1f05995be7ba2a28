package io.penni.model.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.model.DType;
import io.penni.model.ModelException;
import io.penni.model.StoredTensor;
import io.penni.model.TensorEntry;

/**
 * The safetensors header: parsing and checking it against the file it came from, and writing it.
 * The format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}},
 * then the data section, every tensor's raw little-endian bytes, back to back.
 *
 * @param entries the tensors, ordered by where their data begins
 * @param metadata the {@code __metadata__} strings
 */
public record SafeTensorsHeader(List<TensorEntry> entries, Map<String, String> metadata) {

    /** The reserved key of the metadata object. */
    public static final String METADATA = "__metadata__";

    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    /** The largest array Java allocates safely. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Copies the fields. */
    public SafeTensorsHeader {
        entries = List.copyOf(entries);
        metadata = Map.copyOf(metadata);
    }

    /**
     * Parses a header and checks every entry against the data section: dtype known, shape × element size
     * equal to the span of its offsets, offsets inside the data, and the tensors tiling the data section
     * exactly, without gaps or overlaps.
     *
     * @param file the file's name, for messages
     * @param json the header bytes
     * @param dataBytes the length of the data section (file length − 8 − header length)
     * @return the header
     * @throws ModelException naming the file and the tensor at the first problem
     */
    public static SafeTensorsHeader parse(String file, byte[] json, long dataBytes) {
        JsonNode root;
        try {
            // checked first: a clearer message than Jackson's for bytes that are not UTF-8
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json));
            root = Json.parse(json);
        } catch (CharacterCodingException e) {
            throw new ModelException(file + ": the header is not valid UTF-8");
        } catch (JsonProcessingException e) {
            throw new ModelException(file + ": the header is not valid JSON: " + Json.problem(e));
        }
        if (!root.isObject()) {
            throw new ModelException(file + ": the header must be a JSON object");
        }
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), dataBytes));
            }
        }
        entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        checkTiling(file, entries, dataBytes);
        return new SafeTensorsHeader(entries, metadata);
    }

    /**
     * Writes the header for tensors laid out back to back in the given order, padded with spaces to a multiple
     * of 8 bytes so the data section is aligned.
     *
     * @param tensors the tensors in file order
     * @param metadata the metadata strings (none: no {@code __metadata__} key)
     * @return the header bytes
     */
    public static byte[] encode(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, StoredTensor> tensor : tensors.entrySet()) {
            ObjectNode entry = root.putObject(tensor.getKey());
            entry.put("dtype", tensor.getValue().dtype().name());
            ArrayNode shape = entry.putArray("shape");
            long elements = 1;
            for (int d : tensor.getValue().shape()) {
                shape.add(d);
                elements *= d;
            }
            long end = offset + elements * tensor.getValue().dtype().bytes();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static Map<String, String> metadata(String file, JsonNode node) {
        if (!node.isObject()) {
            throw new ModelException(file + ": " + METADATA + " must be an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw new ModelException(file + ": " + METADATA + " value '" + field.getKey() + "' must be a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private static TensorEntry entry(String file, String name, JsonNode node, long dataBytes) {
        String where = file + ": tensor '" + name + "': ";
        if (name.isEmpty()) {
            throw new ModelException(file + ": a tensor has an empty name");
        }
        if (!node.isObject()) {
            throw new ModelException(where + "its entry must be an object with dtype, shape and data_offsets");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!ENTRY_FIELDS.contains(field)) {
                throw new ModelException(where + "unknown field '" + field + "' (expected dtype, shape, data_offsets)");
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelException(where + "dtype is missing or not a string");
        }
        DType dtype = DType.of(dtypeNode.textValue()).orElseThrow(() -> new ModelException(where + "dtype '"
                + dtypeNode.textValue() + "' is not supported (supported: " + Arrays.toString(DType.values()) + ")"));
        int[] shape = shape(where, node.get("shape"));
        long[] offsets = offsets(where, node.get("data_offsets"));
        long elements = 1;
        for (int d : shape) {
            elements = multiply(where, elements, d);
        }
        long bytes = multiply(where, elements, dtype.bytes());
        if (offsets[1] - offsets[0] != bytes) {
            throw new ModelException(where + "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                    + " bytes, but data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
                    + (offsets[1] - offsets[0]));
        }
        if (offsets[1] > dataBytes) {
            throw new ModelException(where + "data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] run past the end of the data section (" + dataBytes + " bytes)");
        }
        if (elements > MAX_ELEMENTS) {
            throw new ModelException(where + elements + " elements are more than one array can hold");
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static int[] shape(String where, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new ModelException(where + "shape is missing or not an array");
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new ModelException(where + "shape " + node + " must hold non-negative integers");
            }
            shape[i] = d.intValue();
        }
        return shape;
    }

    private static long[] offsets(String where, JsonNode node) {
        if (node == null || !node.isArray() || node.size() != 2) {
            throw new ModelException(where + "data_offsets must be an array [begin, end]");
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new ModelException(where + "data_offsets " + node + " must hold non-negative integers");
            }
            offsets[i] = d.longValue();
        }
        if (offsets[1] < offsets[0]) {
            throw new ModelException(where + "data_offsets " + node + " end before they begin");
        }
        return offsets;
    }

    private static long multiply(String where, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new ModelException(where + "its size overflows 64 bits");
        }
    }

    private static void checkTiling(String file, List<TensorEntry> entries, long dataBytes) {
        long position = 0;
        String previous = null;
        for (TensorEntry entry : entries) {
            if (entry.begin() != position) {
                String after = previous == null ? "the start of the data section" : "tensor '" + previous + "'";
                throw new ModelException(file + ": tensor '" + entry.name() + "' begins at " + entry.begin() + " but "
                        + after + " ends at " + position + (entry.begin() < position ? " (they overlap)" : " (a gap)"));
            }
            position = entry.end();
            previous = entry.name();
        }
        if (position != dataBytes) {
            throw new ModelException(file + ": the tensors cover " + position + " bytes of data but the file holds "
                    + dataBytes + " (file length must be 8 + header + data)");
        }
    }
}
