package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchInferenceCommandTest {

    private static PenniCliTest.Result run(String... args) {
        return PenniCliTest.run(args);
    }

    @Test
    void aStandInCompressedArchitectureOnTheCpuBackendPrintsOneLinePerBatchAndThePeak() {
        PenniCliTest.Result r = run("bench-inference", "vgg-small", "--decompose", "5", "--prune", "0.9", "--batch", "1,4",
                "--runs", "5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("fp32 peak:"), r.out());
        assertTrue(r.out().contains("decomposed3x3/d5+bn+relu"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("4 ")), r.out());
    }

    @Test
    void anUnknownBackendIsAUsageErrorNamingTheChoices() {
        PenniCliTest.Result r = run("bench-inference", "vgg-small", "--backend", "tpu");
        assertEquals(2, r.status());
        assertEquals("penni: bench-inference: unknown backend 'tpu'; choose cpu, cuda or dense-reference\n", r.err());
    }

    @Test
    void theCudaBackendOutsideTheServerFailsWithOneLine() {
        PenniCliTest.Result r = run("bench-inference", "vgg-small", "--backend", "cuda", "--batch", "1");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("penni: bench-inference: the cuda backend runs only inside the server"),
                r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
