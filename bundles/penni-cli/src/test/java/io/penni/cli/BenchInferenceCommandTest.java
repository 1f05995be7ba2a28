package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class BenchInferenceCommandTest {

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PenniCli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStandInCompressedArchitectureOnTheCpuBackendPrintsOneLinePerBatchAndThePeak() {
        Result r = run("bench-inference", "vgg-small", "--decompose", "5", "--prune", "0.9", "--batch", "1,4",
                "--runs", "5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("fp32 peak:"), r.out());
        assertTrue(r.out().contains("decomposed3x3/d5+bn+relu"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("4 ")), r.out());
    }

    @Test
    void anUnknownBackendIsAUsageErrorNamingTheChoices() {
        Result r = run("bench-inference", "vgg-small", "--backend", "tpu");
        assertEquals(2, r.status());
        assertEquals("penni: bench-inference: unknown backend 'tpu'; choose cpu, cuda or dense-reference\n", r.err());
    }

    @Test
    void theCudaBackendOutsideTheServerFailsWithOneLine() {
        Result r = run("bench-inference", "vgg-small", "--backend", "cuda", "--batch", "1");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("penni: bench-inference: the cuda backend runs only inside the server"),
                r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
