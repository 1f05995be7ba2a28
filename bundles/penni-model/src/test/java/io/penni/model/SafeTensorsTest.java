package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.model.Tensor;

class SafeTensorsTest {

    @TempDir
    Path dir;

    /** A file with the given header text and data bytes. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        Path file = dir.resolve("t.safetensors");
        Files.write(file, buffer.array());
        return file;
    }

    private static String error(Path file) {
        return assertThrows(ModelException.class, () -> SafeTensors.read(file, FileLimits.DEFAULT)).getMessage();
    }

    private TensorFile sample() {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", new StoredTensor.F32(new Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-8f, -0f})));
        tensors.put("mask", new StoredTensor.Bool(new int[] {3}, new boolean[] {true, false, true}));
        tensors.put("codes", new StoredTensor.U8(new int[] {2, 2}, new byte[] {0, 7, (byte) 200, (byte) 255}));
        return new TensorFile(tensors, Map.of("format", "test"));
    }

    @Test
    void roundTripKeepsF32BoolAndU8TensorsMetadataAndOrder() {
        Path file = dir.resolve("sample.safetensors");
        SafeTensors.write(file, sample());
        TensorFile read = SafeTensors.read(file, FileLimits.DEFAULT);
        assertEquals(sample(), read);
        assertEquals(List.of("w", "mask", "codes"), List.copyOf(read.tensors().keySet()));
    }

    @Test
    void writtenFileFollowsTheFormatByteForByte() throws IOException {
        Path file = dir.resolve("one.safetensors");
        SafeTensors.write(file, new TensorFile(
                Map.of("x", new StoredTensor.F32(new Tensor(new int[] {2}, new float[] {1f, -2f}))), Map.of()));
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong();
        assertEquals(0, headerLength % 8, "the header is padded to 8 bytes");
        byte[] header = new byte[(int) headerLength];
        bytes.get(header);
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                new String(header, StandardCharsets.UTF_8).strip());
        assertEquals(1f, bytes.getFloat());
        assertEquals(-2f, bytes.getFloat());
        assertEquals(0, bytes.remaining());
    }

    @Test
    void entriesAreKnownBeforeAnyTensorIsRead() {
        Path file = dir.resolve("sample.safetensors");
        SafeTensors.write(file, sample());
        try (SafeTensorsReader reader = SafeTensors.open(file, FileLimits.DEFAULT)) {
            TensorEntry w = reader.entries().get("w");
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new int[] {2, 3}, w.shape());
            assertEquals(0, w.begin());
            assertEquals(24, w.end());
            assertEquals(Map.of("format", "test"), reader.metadata());
        }
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        Path file = dir.resolve("sample.safetensors");
        SafeTensors.write(file, sample());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        assertEquals(file + ": tensor 'codes': data_offsets [27, 31] run past the end of the data section (28 bytes)",
                error(file));
    }

    @Test
    void fileShorterThanTheHeaderLengthIsRejected() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertEquals(file + ": 3 bytes is too short for a safetensors file (it starts with an 8-byte header length)",
                error(file));
    }

    @Test
    void headerLengthPastTheEndOfTheFileIsRejected() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
        assertEquals(file + ": header length 100 runs past the end of the file (16 bytes)", error(file));
    }

    @Test
    void headerLengthAboveTheLimitIsRejectedBeforeReadingIt() throws IOException {
        Path file = raw("{}", 0);
        Files.write(file, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertEquals(file + ": header length 18446744073709551615 is more than the limit of 16777216 bytes",
                error(file));
    }

    @Test
    void corruptedHeaderIsRejectedAsInvalidJson() throws IOException {
        Path file = raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]", 4);
        String message = error(file);
        assertEquals(file + ": the header is not valid JSON: ", message.substring(0, message.indexOf("JSON: ") + 6));
    }

    @Test
    void headerThatIsNotUtf8IsRejected() throws IOException {
        Path file = raw("{\"w\u00e9\": 1}", 0);
        byte[] bytes = Files.readAllBytes(file);
        bytes[12] = (byte) 0xFF;
        Files.write(file, bytes);
        assertEquals(file + ": the header is not valid UTF-8", error(file));
    }

    @Test
    void unknownDtypeIsRejectedNamingTheTensor() throws IOException {
        Path file = raw("{\"w\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4);
        assertEquals(file + ": tensor 'w': dtype 'F16' is not supported (supported: [F32, U8, BOOL])", error(file));
    }

    @Test
    void shapeThatDisagreesWithTheOffsetsIsRejected() throws IOException {
        Path file = raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", 20);
        assertEquals(file + ": tensor 'w': shape [2, 3] of F32 needs 24 bytes, but data_offsets [0, 20] span 20",
                error(file));
    }

    @Test
    void offsetsPastTheDataAreRejected() throws IOException {
        Path file = raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}", 8);
        assertEquals(file + ": tensor 'w': data_offsets [8, 16] run past the end of the data section (8 bytes)",
                error(file));
    }

    @Test
    void overlappingTensorsAreRejected() throws IOException {
        Path file = raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12);
        assertEquals(file + ": tensor 'b' begins at 4 but tensor 'a' ends at 8 (they overlap)", error(file));
    }

    @Test
    void gapBetweenTensorsIsRejected() throws IOException {
        Path file = raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]},"
                + " \"b\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [4, 6]}}", 6);
        assertEquals(file + ": tensor 'b' begins at 4 but tensor 'a' ends at 2 (a gap)", error(file));
    }

    @Test
    void bytesAfterTheLastTensorAreRejected() throws IOException {
        Path file = raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 5);
        assertEquals(file + ": the tensors cover 2 bytes of data but the file holds 5 (file length must be 8 + "
                + "header + data)", error(file));
    }

    @Test
    void duplicateTensorNamesAreRejected() throws IOException {
        Path file = raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]},"
                + " \"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 2]}}", 2);
        String message = error(file);
        assertEquals(true, message.startsWith(file + ": the header is not valid JSON: Duplicate field 'a'"), message);
    }

    @Test
    void negativeDimensionIsRejected() throws IOException {
        Path file = raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [-1], \"data_offsets\": [0, 0]}}", 0);
        assertEquals(file + ": tensor 'a': shape [-1] must hold non-negative integers", error(file));
    }

    @Test
    void unknownEntryFieldIsRejected() throws IOException {
        Path file = raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1], \"x\": 1}}", 1);
        assertEquals(file + ": tensor 'a': unknown field 'x' (expected dtype, shape, data_offsets)", error(file));
    }

    @Test
    void boolValuesOtherThanZeroAndOneAreRejected() throws IOException {
        Path file = raw("{\"m\": {\"dtype\": \"BOOL\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] = 2;
        Files.write(file, bytes);
        assertEquals(file + ": tensor 'm': BOOL element 1 is 2; only 0 and 1 are allowed", error(file));
    }

    @Test
    void fileAboveTheSizeLimitIsRefused() {
        Path file = dir.resolve("sample.safetensors");
        SafeTensors.write(file, sample());
        String message = assertThrows(ModelException.class,
                () -> SafeTensors.read(file, new FileLimits(64, 1024))).getMessage();
        // 8 + a 216-byte header + 31 bytes of data
        assertEquals(file + ": 255 bytes is more than the limit of 64 bytes", message);
    }

    @Test
    void headerAboveTheJsonLimitIsRefused() {
        Path file = dir.resolve("sample.safetensors");
        SafeTensors.write(file, sample());
        String message = assertThrows(ModelException.class,
                () -> SafeTensors.read(file, new FileLimits(1 << 20, 16))).getMessage();
        assertEquals(file + ": header length 216 is more than the limit of 16 bytes", message);
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("none.safetensors");
        assertEquals(file + ": no such file", error(file));
    }

    @Test
    void readingAnF32TensorThatIsBoolSaysSo() {
        Path file = dir.resolve("sample.safetensors");
        SafeTensors.write(file, sample());
        try (SafeTensorsReader reader = SafeTensors.open(file, FileLimits.DEFAULT)) {
            String message = assertThrows(ModelException.class, () -> reader.readF32("mask")).getMessage();
            assertEquals(file + ": tensor 'mask' is BOOL, not F32", message);
        }
    }

    @Test
    void aTensorNamedLikeTheMetadataKeyCannotBeWritten() {
        Path file = dir.resolve("bad.safetensors");
        String message = assertThrows(ModelException.class, () -> SafeTensors.write(file, new TensorFile(
                Map.of("__metadata__", new StoredTensor.U8(new int[] {1}, new byte[1])), Map.of()))).getMessage();
        assertEquals(file + ": a tensor cannot be named '__metadata__'", message);
    }

    @Test
    void tensorsLargerThanOneReadChunkRoundTrip() {
        float[] values = new float[700_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 1000f;
        }
        Path file = dir.resolve("big.safetensors");
        TensorFile content = new TensorFile(Map.of("big", new StoredTensor.F32(new Tensor(new int[] {700, 1000},
                values))), Map.of());
        SafeTensors.write(file, content);
        assertEquals(content, SafeTensors.read(file, FileLimits.DEFAULT));
    }
}
