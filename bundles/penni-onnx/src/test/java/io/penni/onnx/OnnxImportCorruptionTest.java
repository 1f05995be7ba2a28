package io.penni.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.penni.model.ModelException;

/**
 * Whatever a damaged file holds, the import either gives a valid model or one {@link ModelException}: never another
 * exception, never a hang. Every prefix of an exported file, and seeded byte flips through one.
 */
class OnnxImportCorruptionTest {

    /** Imports the bytes; an exception other than ModelException fails the test with the case that caused it. */
    private static void importsOrRefuses(byte[] bytes, String what) {
        try {
            OnnxImport.read(bytes, "damaged.onnx", "damaged");
        } catch (ModelException e) {
            assertTrue(e.getMessage().startsWith("damaged.onnx: "), what + ": " + e.getMessage());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            fail(what + ": " + e, e);
        }
    }

    @Test
    void everyPrefixOfAnExportedFileImportsOrIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(OnnxFixtures.model("depthwise"));
        for (int length = 0; length < whole.length; length++) {
            importsOrRefuses(Arrays.copyOf(whole, length), "the first " + length + " bytes");
        }
    }

    @Test
    void flippedBytesImportOrAreRefused() throws IOException {
        // the depthwise block: the most graph (shape arithmetic, Pad, Squeeze, MatMul) per byte of weights
        byte[] whole = Files.readAllBytes(OnnxFixtures.model("depthwise"));
        Random random = new Random(16);
        for (int round = 0; round < 10000; round++) {
            byte[] damaged = whole.clone();
            int flips = 1 + random.nextInt(4);
            StringBuilder what = new StringBuilder("bytes changed at");
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(damaged.length);
                damaged[at] = (byte) random.nextInt(256);
                what.append(' ').append(at);
            }
            importsOrRefuses(damaged, what.toString());
        }
    }
}
