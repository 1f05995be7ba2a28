package io.penni.bench.natives;

import java.util.List;

/**
 * The results file of this benchmark, {@code bench/results/nd4j-natives.json}.
 *
 * @param benchmark the benchmark's name
 * @param date when the report was written (ISO-8601, UTC)
 * @param measured when the rounds ran: the first and last round result's file times (ISO-8601, UTC)
 * @param machine where it ran
 * @param method what was timed and how
 * @param reference the build the speedups are relative to
 * @param builds one summary per build, in the order run.sh was given them
 * @param chosen the build picked as the default, and why
 * @param chosenVersusRunnerUp round by round, the chosen build against the next-fastest eligible build
 * @param fastestOverall the fastest build measured, whether or not it may be the default
 * @param onednnKernels for each oneDNN build, the instruction set and convolution kernels oneDNN picked
 * @param offHeapCaps what each JavaCPP cap configuration did with an array larger than the cap
 */
public record NativesResults(String benchmark, String date, String measured, Machine machine, Method method, String reference,
                             List<BuildSummary> builds, Choice chosen, HeadToHead chosenVersusRunnerUp,
                             Choice fastestOverall, List<OnednnKernels> onednnKernels,
                             List<OffHeapCapCheck.Outcome> offHeapCaps) {

    /** Copies the lists so the record stays immutable. */
    public NativesResults {
        builds = List.copyOf(builds);
        onednnKernels = List.copyOf(onednnKernels);
        offHeapCaps = List.copyOf(offHeapCaps);
    }

    /**
     * What oneDNN's verbose log said in one build, for one small conv2d forward + backward.
     *
     * @param build the nd4j-native classifier
     * @param isa the instruction set oneDNN says it uses
     * @param convolutionKernels each convolution primitive it ran, as {@code <propagation>: <implementation>}
     */
    public record OnednnKernels(String build, String isa, List<String> convolutionKernels) {

        /** Copies the list so the record stays immutable. */
        public OnednnKernels {
            convolutionKernels = List.copyOf(convolutionKernels);
        }
    }

    /**
     * The machine.
     *
     * @param cpuModel {@code model name} from /proc/cpuinfo
     * @param cpuFlags {@code flags} from /proc/cpuinfo
     * @param cores processors the JVM sees
     * @param os operating system name, version and architecture
     * @param javaVersion the Java runtime the rounds ran on
     */
    public record Machine(String cpuModel, List<String> cpuFlags, int cores, String os, String javaVersion) {

        /** Copies the list so the record stays immutable. */
        public Machine {
            cpuFlags = List.copyOf(cpuFlags);
        }
    }

    /**
     * How the builds were timed.
     *
     * @param operation what one timed iteration does
     * @param rounds rounds run; each round runs every build once, each in a fresh JVM
     * @param warmupPerShape untimed iterations per shape in each JVM
     * @param iterationsPerShape timed iterations per shape in each JVM
     * @param order how the builds were ordered within and across rounds
     * @param statistics how the figures are computed from the samples
     */
    public record Method(String operation, int rounds, int warmupPerShape, int iterationsPerShape, String order,
                         String statistics) {
    }

    /**
     * One build's figures.
     *
     * @param classifier the nd4j-native classifier
     * @param simd the SIMD level its binaries need
     * @param onednn whether ND4J's build information named HAVE_ONEDNN
     * @param safeAsDefault whether it runs on every x86-64 machine with AVX2
     * @param evidence what loaded in its first round (every round was checked against the classifier)
     * @param threads ND4J's OpenMP threads
     * @param loadAverageMedian median over its JVMs of the machine's 1-minute load average while it ran
     * @param backendStartMillisMedian median time to ND4J's first finished operation, native loading included
     * @param geometricMeanSpeedup geometric mean over the shapes of the reference's median / this median
     * @param maxRelativeDifference the largest relative difference of an output or gradient norm from the
     *     reference build's, over all shapes (builds must compute the same thing)
     * @param shapes per-shape figures
     */
    public record BuildSummary(String classifier, NativeBuild.Simd simd, boolean onednn, boolean safeAsDefault,
                               LoadedNatives evidence, int threads, double loadAverageMedian,
                               double backendStartMillisMedian,
                               double geometricMeanSpeedup, double maxRelativeDifference, List<ShapeSummary> shapes) {

        /** Copies the list so the record stays immutable. */
        public BuildSummary {
            shapes = List.copyOf(shapes);
        }
    }

    /**
     * One build's figures at one shape, over the samples of every round.
     *
     * @param shape the shape
     * @param samples timed iterations
     * @param medianMillis median milliseconds per forward + backward
     * @param p90Millis 90th percentile (nearest rank) milliseconds
     * @param imagesPerSecond batch / median
     * @param speedup the reference build's median / this median
     * @param roundMedians the median of each round, in round order, to show the spread
     */
    public record ShapeSummary(ConvShape shape, int samples, double medianMillis, double p90Millis,
                               double imagesPerSecond, double speedup, List<Double> roundMedians) {

        /** Copies the list so the record stays immutable. */
        public ShapeSummary {
            roundMedians = List.copyOf(roundMedians);
        }
    }

    /**
     * Two builds compared within each round, where both met the same machine noise at nearly the same time.
     *
     * @param chosen the chosen build
     * @param runnerUp the next-fastest eligible build
     * @param roundRatios per round, the runner-up's time / the chosen build's time (geometric mean over the
     *     shapes of the round medians); above 1 means the chosen build was faster in that round
     * @param roundsWon rounds in which the chosen build was faster
     */
    public record HeadToHead(String chosen, String runnerUp, List<Double> roundRatios, int roundsWon) {

        /** Copies the list so the record stays immutable. */
        public HeadToHead {
            roundRatios = List.copyOf(roundRatios);
        }
    }

    /**
     * A pick and its reason.
     *
     * @param classifier the build picked
     * @param reason why, with the figures
     */
    public record Choice(String classifier, String reason) {
    }
}
