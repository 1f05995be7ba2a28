package io.penni.bench.natives;

import java.util.List;

/**
 * What one JVM measured for one native build in one round.
 *
 * @param build the nd4j-native classifier asked for
 * @param round the round number, from 1
 * @param position where in the round this JVM ran, from 0 (run.sh rotates the order each round)
 * @param javaVersion {@code java.version} and the VM name
 * @param threads ND4J's OpenMP threads
 * @param backendStartMillis time to the first finished ND4J operation, native loading included
 * @param loaded the natives that loaded, checked against {@code build} before anything was timed
 * @param loadAverageBefore the machine's 1-minute load average when timing began (other work on the
 *     shared machine shows here)
 * @param loadAverageAfter the 1-minute load average when timing ended
 * @param shapes one entry per shape timed
 */
public record RoundResult(String build, int round, int position, String javaVersion, int threads,
                          long backendStartMillis, LoadedNatives loaded, double loadAverageBefore,
                          double loadAverageAfter, List<ShapeSamples> shapes) {

    /** Copies the list so the record stays immutable. */
    public RoundResult {
        shapes = List.copyOf(shapes);
    }

    /**
     * The timings of one shape, plus norms of what was computed, so that builds can be checked to compute
     * the same thing.
     *
     * @param shape the shape timed
     * @param warmup untimed iterations run first
     * @param millis the timed iterations, forward + backward each, in milliseconds
     * @param outputNorm L2 norm of the convolution's output
     * @param inputGradientNorm L2 norm of the gradient with respect to the input
     * @param weightGradientNorm L2 norm of the gradient with respect to the weights
     */
    public record ShapeSamples(ConvShape shape, int warmup, List<Double> millis, double outputNorm,
                               double inputGradientNorm, double weightGradientNorm) {

        /** Copies the list so the record stays immutable. */
        public ShapeSamples {
            millis = List.copyOf(millis);
        }
    }
}
