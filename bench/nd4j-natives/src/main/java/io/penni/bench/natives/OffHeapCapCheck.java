package io.penni.bench.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Checks whether JavaCPP's memory caps bind ND4J: in a JVM started with {@code org.bytedeco.javacpp.maxbytes}
 * and maybe {@code maxphysicalbytes}, asks ND4J for an array larger than the cap, fills it, and records
 * whether ND4J refused with an {@link OutOfMemoryError} that names a cap, or allocated past it.
 *
 * <p>Usage: {@code OffHeapCapCheck <classifier> <label> <array bytes> <out.json>}. It records what happened
 * and exits 0 either way (2 on bad arguments): the outcome is a finding, not a failure of the benchmark.
 */
public final class OffHeapCapCheck {

    private OffHeapCapCheck() {
    }

    /**
     * What one cap configuration did.
     *
     * @param build the native build that ran
     * @param label the configuration's name in the results
     * @param settings the JavaCPP system properties the JVM was started with
     * @param maxBytes JavaCPP's {@code maxBytes} (counts memory allocated through its pointers)
     * @param maxPhysicalBytes JavaCPP's {@code maxPhysicalBytes} (checked against the process's resident
     *     memory on each allocation through its pointers; 0 means unchecked)
     * @param physicalBytesBefore the process's resident memory before the request
     * @param requestedBytes size of the array asked for
     * @param refused whether ND4J refused with an OutOfMemoryError
     * @param namesCap whether that error, or one of its causes, names maxBytes or maxPhysicalBytes
     * @param physicalBytesAfter resident memory after the request
     * @param errors class and message of the error and each cause; empty when ND4J allocated the array
     */
    public record Outcome(String build, String label, String settings, long maxBytes, long maxPhysicalBytes,
                          long physicalBytesBefore, long requestedBytes, boolean refused, boolean namesCap,
                          long physicalBytesAfter, List<String> errors) {

        /** Copies the list so the record stays immutable. */
        public Outcome {
            errors = List.copyOf(errors);
        }

        /** @return whether the cap held: ND4J refused, and the error says which cap */
        public boolean capHeld() {
            return refused && namesCap;
        }
    }

    /**
     * Runs the check.
     *
     * @param args classifier, label, bytes to ask for, output file
     * @throws IOException when the outcome cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 4 || !args[2].matches("[1-9][0-9]*")) {
            System.err.println("ERROR usage: OffHeapCapCheck <classifier> <label> <array bytes> <out.json>");
            System.exit(2);
        }
        long requested = Long.parseLong(args[2]);
        String settings = "maxbytes=" + System.getProperty("org.bytedeco.javacpp.maxbytes", "(default)")
                + ", maxphysicalbytes=" + System.getProperty("org.bytedeco.javacpp.maxphysicalbytes", "(default)");
        Nd4j.create(new float[] {1f, 2f}).sumNumber();
        long before = Pointer.physicalBytes();
        List<String> errors = new ArrayList<>();
        try {
            INDArray big = Nd4j.create(DataType.FLOAT, requested / DataType.FLOAT.width()).assign(1f);
            // a new shape afterwards: JavaCPP checks its caps when ND4J next allocates through a pointer
            Nd4j.create(DataType.FLOAT, 17, 13).addi(big.getFloat(0)).sumNumber();
        } catch (OutOfMemoryError e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                errors.add(t.getClass().getName() + ": " + t.getMessage());
            }
        }
        boolean namesCap = errors.stream().anyMatch(m -> m.contains("maxBytes") || m.contains("maxPhysicalBytes"));
        Outcome outcome = new Outcome(args[0], args[1], settings, Pointer.maxBytes(), Pointer.maxPhysicalBytes(), before,
                requested, !errors.isEmpty(), namesCap, Pointer.physicalBytes(), errors);
        System.out.printf("off-heap cap check '%s' (%s): %s%n", outcome.label(), settings, outcome.capHeld()
                ? "refused: " + String.join(" / caused by ", errors)
                : "ND4J allocated " + requested + " bytes; resident memory now " + outcome.physicalBytesAfter());
        Path out = Path.of(args[3]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), outcome);
    }
}
