package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.model.Model;

/**
 * The hostile model-file battery: a user's model file is the input a job trusts most, so every way of spoiling one
 * (truncated anywhere, bytes flipped in the header or the data, a lying header length, wrong dtypes, shape claims
 * of billions of elements, NaN and infinite weights, a graph naming absurd sizes) must end in a
 * {@link ModelException} that names the file, or, where a flip leaves a file that is still well formed, in a model
 * that loads; never another exception, and never a read of more memory than the file holds.
 */
class HostileModelFilesTest {

    @TempDir
    Path dir;
    private Path graph;
    private byte[] graphBytes;
    private byte[] weights;

    @BeforeEach
    void validModel() throws IOException {
        graph = dir.resolve("model.json");
        ModelFiles.save(Architectures.create("vgg-small", 3), graph);
        graphBytes = Files.readAllBytes(graph);
        weights = Files.readAllBytes(ModelFiles.weightsOf(graph));
    }

    @Test
    void everySpoiledWeightsFileIsRefusedWithAModelErrorOrLoadsWhenStillWellFormed() throws IOException {
        Map<String, byte[]> variants = new LinkedHashMap<>();
        Random random = new Random(20261205);
        int header = (int) ByteBuffer.wrap(weights, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        for (int i = 0; i < 40; i++) { // truncated: in the length prefix, the header and the data
            int at = i < 8 ? i : i < 20 ? 8 + random.nextInt(header) : 8 + header + random.nextInt(weights.length - 8
                    - header);
            variants.put("truncated at " + at, Arrays.copyOf(weights, at));
        }
        for (long length : new long[] {0, 1, header - 1L, header + 1L, weights.length, Integer.MAX_VALUE,
                Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
            byte[] lying = weights.clone();
            ByteBuffer.wrap(lying, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
            variants.put("header length " + length, lying);
        }
        for (int i = 0; i < 60; i++) { // one byte of the header replaced
            byte[] flipped = weights.clone();
            int at = 8 + random.nextInt(header);
            flipped[at] = (byte) random.nextInt(256);
            variants.put("header byte " + at + " = " + flipped[at], flipped);
        }
        String text = new String(weights, 8, header, StandardCharsets.UTF_8);
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("dtype F16", text.replaceFirst("\"F32\"", "\"F16\""));
        edits.put("dtype I64", text.replaceFirst("\"F32\"", "\"I64\""));
        edits.put("dtype unknown", text.replaceFirst("\"F32\"", "\"Q4\""));
        edits.put("shape of billions", text.replaceFirst("\"shape\":\\[[0-9,]+\\]", "\"shape\":[100000,100000,9]"));
        edits.put("shape overflowing", text.replaceFirst("\"shape\":\\[[0-9,]+\\]",
                "\"shape\":[9223372036854775807,2]"));
        edits.put("shape negative", text.replaceFirst("\"shape\":\\[[0-9,]+\\]", "\"shape\":[-1,32]"));
        edits.put("offsets reversed", text.replaceFirst("\"data_offsets\":\\[([0-9]+),([0-9]+)\\]",
                "\"data_offsets\":[$2,$1]"));
        edits.put("offsets huge", text.replaceFirst("\"data_offsets\":\\[([0-9]+),([0-9]+)\\]",
                "\"data_offsets\":[$1,99999999999]"));
        edits.put("header not JSON", "not json " + text);
        edits.put("header an array", "[" + text + "]");
        for (Map.Entry<String, String> e : edits.entrySet()) {
            variants.put(e.getKey(), withHeader(e.getValue()));
        }
        int refused = 0;
        int loaded = 0;
        for (Map.Entry<String, byte[]> variant : variants.entrySet()) {
            Files.write(ModelFiles.weightsOf(graph), variant.getValue());
            try {
                ModelFiles.load(graph);
                loaded++;
            } catch (ModelException e) {
                assertTrue(e.getMessage().contains(ModelFiles.weightsOf(graph).toString()), variant.getKey() + ": "
                        + e.getMessage());
                refused++;
            } catch (RuntimeException | OutOfMemoryError e) {
                fail(variant.getKey() + ": " + e, e);
            }
        }
        assertTrue(variants.size() >= 100, "the battery has " + variants.size() + " variants");
        assertTrue(refused >= variants.size() - 60, refused + " refused, " + loaded + " loaded");
    }

    @Test
    void flippedDataBytesLoadOrAreRefusedAsNonFiniteNeverAnythingElse() throws IOException {
        Random random = new Random(7);
        int header = (int) ByteBuffer.wrap(weights, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int refused = 0;
        for (int i = 0; i < 40; i++) {
            byte[] flipped = weights.clone();
            int at = 8 + header + random.nextInt(weights.length - 8 - header);
            flipped[at] = (byte) 0xff; // 0xff in a float's high byte makes it NaN or -infinite
            Files.write(ModelFiles.weightsOf(graph), flipped);
            try {
                ModelFiles.load(graph);
            } catch (ModelException e) {
                assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused > 0, "some flips made a non-finite weight, and each was refused");
    }

    @Test
    void nanAndInfiniteWeightsAreRefusedNamingTheTensorAndTheLayer() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Model model = Architectures.create("vgg-small", 3);
            model.parameters().get("conv2.weight").data()[17] = bad;
            ModelFiles.save(model, graph);
            String message = assertThrows(ModelException.class, () -> ModelFiles.load(graph)).getMessage();
            assertEquals(ModelFiles.weightsOf(graph) + ": tensor 'conv2.weight' has 1 non-finite value (NaN or "
                    + "infinite; the first at element 17); layer conv2 cannot use it", message);
        }
    }

    @Test
    void aGraphClaimingAbsurdSizesIsRefusedBeforeAnyWeightIsRead() throws IOException {
        String text = new String(graphBytes, StandardCharsets.UTF_8);
        List<String> spoiled = new ArrayList<>();
        spoiled.add(text.replaceFirst("\"outChannels\"\\s*:\\s*[0-9]+", "\"outChannels\": 2000000000"));
        spoiled.add(text.replaceFirst("\"outChannels\"\\s*:\\s*[0-9]+", "\"outChannels\": -5"));
        spoiled.add(text.replaceFirst("\"outChannels\"\\s*:\\s*[0-9]+", "\"outChannels\": 1e30"));
        spoiled.add(text.replaceFirst("\"kernel\"\\s*:\\s*[0-9]+", "\"kernel\": 100000"));
        spoiled.add(text.replaceFirst("\"type\"\\s*:\\s*\"[A-Za-z0-9]+\"", "\"type\": \"Teleport\""));
        spoiled.add("[".repeat(5000) + "]".repeat(5000));
        spoiled.add(text.substring(0, text.length() / 2));
        assertTrue(spoiled.stream().noneMatch(text::equals), "every edit changed the graph");
        Files.write(ModelFiles.weightsOf(graph), weights);
        for (String graphText : spoiled) {
            Files.writeString(graph, graphText);
            try {
                ModelFiles.load(graph);
                fail("loaded: " + graphText.substring(0, Math.min(80, graphText.length())));
            } catch (ModelException e) {
                assertTrue(e.getMessage().contains("model.json") || e.getMessage().contains("model.safetensors"),
                        e.getMessage());
            }
        }
    }

    private byte[] withHeader(String header) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int oldHeader = (int) ByteBuffer.wrap(weights, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] data = Arrays.copyOfRange(weights, 8 + oldHeader, weights.length);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data);
        return out.array();
    }
}
