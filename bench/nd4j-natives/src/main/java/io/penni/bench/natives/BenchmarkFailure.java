package io.penni.bench.natives;

/** A reason to stop the benchmark, reported to its user as one line. */
final class BenchmarkFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BenchmarkFailure(String message) {
        super(message);
    }
}
