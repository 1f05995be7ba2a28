package io.penni.bench.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.bench.natives.NativesResults.HeadToHead;

/**
 * Turns the rounds and cap checks that run.sh left in its work folder into
 * {@code bench/results/nd4j-natives.json} and {@code .md}, and picks the default build: the fastest, by the
 * geometric mean of its speedups over the plain build, of the builds that every AVX2 machine runs.
 *
 * <p>Usage: {@code NativesReport <work folder> <results.json> <results.md>}.
 */
public final class NativesReport {

    private static final String REFERENCE = NativeBuild.PLATFORM;
    private static final ObjectMapper JSON = new ObjectMapper();

    private NativesReport() {
    }

    /**
     * Writes the results.
     *
     * @param args work folder, JSON output, Markdown output
     * @throws IOException when a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("ERROR usage: NativesReport <work folder> <results.json> <results.md>");
            System.exit(2);
        }
        try {
            NativesResults results = summarise(Path.of(args[0]));
            JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[1]).toFile(), results);
            Files.writeString(Path.of(args[2]), NativesMarkdown.render(results));
            System.out.println("chosen default: " + results.chosen().classifier() + "; wrote " + args[1] + " and " + args[2]);
        } catch (BenchmarkFailure e) {
            System.err.println("ERROR " + e.getMessage());
            System.exit(2);
        }
    }

    static NativesResults summarise(Path work) throws IOException {
        List<RoundResult> rounds = readAll(work.resolve("rounds"), RoundResult.class);
        if (rounds.isEmpty()) {
            throw new BenchmarkFailure(work.resolve("rounds") + ": no round results; run bench/nd4j-natives/run.sh first");
        }
        // run.sh's order of builds is round 1's order of positions
        Map<String, List<RoundResult>> byBuild = rounds.stream()
                .sorted(Comparator.comparingInt(RoundResult::round).thenComparingInt(RoundResult::position))
                .collect(Collectors.groupingBy(RoundResult::build, LinkedHashMap::new, Collectors.toList()));
        List<RoundResult> reference = Optional.ofNullable(byBuild.get(REFERENCE)).orElseThrow(
                () -> new BenchmarkFailure("no rounds of the reference build " + REFERENCE + " in " + work));

        List<NativesResults.BuildSummary> builds = new ArrayList<>();
        byBuild.forEach((classifier, results) -> builds.add(summariseBuild(classifier, results, reference)));

        NativesResults.BuildSummary chosen = builds.stream().filter(NativesResults.BuildSummary::safeAsDefault)
                .max(Comparator.comparingDouble(NativesResults.BuildSummary::geometricMeanSpeedup))
                .orElseThrow(() -> new BenchmarkFailure("no build that runs on every AVX2 machine was measured"));
        HeadToHead headToHead = headToHead(chosen, builds, byBuild);
        NativesResults.BuildSummary fastest = builds.stream()
                .max(Comparator.comparingDouble(NativesResults.BuildSummary::geometricMeanSpeedup)).orElseThrow();

        RoundResult first = rounds.get(0);
        NativesResults.Method method = new NativesResults.Method(
                "SameDiff conv2d, 3x3 kernel, stride 1, SAME padding, NCHW, float32, no bias; loss = mean(output^2);"
                        + " one iteration = SameDiff.calculateGradients(input, weights): forward + backward",
                rounds.stream().mapToInt(RoundResult::round).max().orElseThrow(),
                first.shapes().get(0).warmup(), first.shapes().get(0).millis().size(),
                "each round runs every build once, each in a fresh JVM; the order rotates by one build each round",
                "median and p90 (nearest rank) over the timed iterations of all rounds; images/s = batch / median;"
                        + " speedup = " + REFERENCE + " median / build median; the default is the build that needs at"
                        + " most AVX2 with the highest geometric mean of speedups over the shapes");
        return new NativesResults("nd4j-natives", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                measured(work.resolve("rounds")), machine(first.javaVersion()), method, REFERENCE, builds,
                new NativesResults.Choice(chosen.classifier(), chosenReason(chosen, headToHead, builds)),
                headToHead,
                new NativesResults.Choice(fastest.classifier(), fastest.safeAsDefault()
                        ? "also the chosen default"
                        : "needs " + fastest.simd() + ", which not every x86-64 machine with AVX2 has"),
                onednnKernels(work.resolve("kernels")).stream()
                        .sorted(Comparator.comparingInt(k -> List.copyOf(byBuild.keySet()).indexOf(k.build()))).toList(),
                readAll(work.resolve("caps"), OffHeapCapCheck.Outcome.class));
    }

    private static NativesResults.BuildSummary summariseBuild(String classifier, List<RoundResult> results,
                                                              List<RoundResult> reference) {
        NativeBuild build = new NativeBuild(classifier);
        LoadedNatives evidence = results.get(0).loaded();
        for (RoundResult result : results) {
            // ConvRound already refused to time a build that did not load; this catches a stale work folder
            if (!result.loaded().mismatches(build).isEmpty()) {
                throw new BenchmarkFailure(classifier + " round " + result.round() + ": " + result.loaded().mismatches(build));
            }
        }
        List<NativesResults.ShapeSummary> shapes = new ArrayList<>();
        double logSpeedups = 0;
        double maxDifference = 0;
        for (ConvShape shape : ConvShape.standard()) {
            List<Double> samples = samplesOf(results, shape);
            List<Double> referenceSamples = samplesOf(reference, shape);
            double median = Samples.median(samples);
            double speedup = Samples.median(referenceSamples) / median;
            logSpeedups += Math.log(speedup);
            List<Double> roundMedians = results.stream()
                    .map(r -> Samples.median(shapeOf(r, shape).millis())).toList();
            shapes.add(new NativesResults.ShapeSummary(shape, samples.size(), median, Samples.percentile(samples, 90),
                    shape.batch() * 1000.0 / median, speedup, roundMedians));
            RoundResult.ShapeSamples mine = shapeOf(results.get(0), shape);
            RoundResult.ShapeSamples theirs = shapeOf(reference.get(0), shape);
            maxDifference = Math.max(maxDifference, Math.max(
                    relativeDifference(mine.outputNorm(), theirs.outputNorm()),
                    Math.max(relativeDifference(mine.inputGradientNorm(), theirs.inputGradientNorm()),
                            relativeDifference(mine.weightGradientNorm(), theirs.weightGradientNorm()))));
        }
        return new NativesResults.BuildSummary(classifier, build.simd(), evidence.hasOnednn(), build.safeAsDefault(),
                evidence, results.get(0).threads(),
                Samples.median(results.stream().map(r -> (r.loadAverageBefore() + r.loadAverageAfter()) / 2).toList()),
                Samples.median(results.stream().map(r -> (double) r.backendStartMillis()).toList()),
                Math.exp(logSpeedups / shapes.size()), maxDifference, shapes);
    }

    /** The chosen build against the next-fastest eligible one, round by round. */
    private static HeadToHead headToHead(NativesResults.BuildSummary chosen, List<NativesResults.BuildSummary> builds,
                                         Map<String, List<RoundResult>> byBuild) {
        String runnerUp = builds.stream()
                .filter(b -> b.safeAsDefault() && !b.classifier().equals(chosen.classifier()))
                .max(Comparator.comparingDouble(NativesResults.BuildSummary::geometricMeanSpeedup))
                .map(NativesResults.BuildSummary::classifier).orElse(chosen.classifier());
        Map<Integer, Double> chosenRounds = roundTimes(byBuild.get(chosen.classifier()));
        Map<Integer, Double> runnerUpRounds = roundTimes(byBuild.get(runnerUp));
        List<Double> ratios = chosenRounds.keySet().stream().sorted().filter(runnerUpRounds::containsKey)
                .map(round -> runnerUpRounds.get(round) / chosenRounds.get(round)).toList();
        return new HeadToHead(chosen.classifier(), runnerUp, ratios, (int) ratios.stream().filter(r -> r > 1).count());
    }

    /** Per round: the geometric mean over the shapes of the round's median times. */
    private static Map<Integer, Double> roundTimes(List<RoundResult> results) {
        return results.stream().collect(Collectors.toMap(RoundResult::round, r -> Math.exp(r.shapes().stream()
                .mapToDouble(s -> Math.log(Samples.median(s.millis()))).average().orElseThrow())));
    }

    private static String chosenReason(NativesResults.BuildSummary chosen, HeadToHead headToHead,
                                       List<NativesResults.BuildSummary> builds) {
        String perShape = chosen.shapes().stream()
                .map(s -> String.format(Locale.ROOT, "%s %.2fx", s.shape().name(), s.speedup()))
                .collect(Collectors.joining(", "));
        String wider = builds.stream().filter(b -> !b.safeAsDefault())
                .map(b -> String.format(Locale.ROOT, "%s %.2fx", b.classifier(), b.geometricMeanSpeedup()))
                .collect(Collectors.joining(", "));
        String rounds = headToHead.runnerUp().equals(chosen.classifier()) ? "" : String.format(Locale.ROOT,
                " Against the runner-up %s (%.2fx) it was faster in %d of %d rounds.", headToHead.runnerUp(),
                builds.stream().filter(b -> b.classifier().equals(headToHead.runnerUp())).findFirst().orElseThrow()
                        .geometricMeanSpeedup(), headToHead.roundsWon(), headToHead.roundRatios().size())
                + (isCloseCall(headToHead)
                        ? " Winning between a quarter and three quarters of the rounds, the two are within this"
                        + " machine's noise: this run does not tell them apart, and the pick between them is the"
                        + " pooled median's."
                        : "");
        return String.format(Locale.ROOT,
                "Fastest of the builds that need at most AVX2: geometric-mean speedup %.2fx over %s (%s).%s"
                        + "%s",
                chosen.geometricMeanSpeedup(), REFERENCE, perShape, rounds, wider.isEmpty() ? ""
                        : " The AVX-512 builds (" + wider + ") are not eligible as the default: the project's floor"
                        + " is x86-64 with AVX2, and machines that have AVX2 but not AVX-512 (AMD Zen 1-3, many"
                        + " Intel desktop and laptop CPUs, some CI and cloud machines) cannot run binaries built for"
                        + " AVX-512 (not tried here: this CPU has AVX-512).");
    }

    private static boolean isCloseCall(HeadToHead headToHead) {
        int rounds = headToHead.roundRatios().size();
        return 4 * headToHead.roundsWon() > rounds && 4 * headToHead.roundsWon() < 3 * rounds;
    }

    private static List<Double> samplesOf(List<RoundResult> results, ConvShape shape) {
        return results.stream().flatMap(r -> shapeOf(r, shape).millis().stream()).toList();
    }

    private static RoundResult.ShapeSamples shapeOf(RoundResult result, ConvShape shape) {
        return result.shapes().stream().filter(s -> s.shape().equals(shape)).findFirst().orElseThrow(
                () -> new BenchmarkFailure(result.build() + " round " + result.round() + " has no " + shape.name()));
    }

    private static double relativeDifference(double value, double reference) {
        return Math.abs(value - reference) / Math.max(Math.abs(reference), Double.MIN_NORMAL);
    }

    private static NativesResults.Machine machine(String javaVersion) throws IOException {
        List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
        return new NativesResults.Machine(field(cpuinfo, "model name"),
                Arrays.asList(field(cpuinfo, "flags").split("\\s+")), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                javaVersion);
    }

    private static String measured(Path rounds) throws IOException {
        List<Instant> times = new ArrayList<>();
        try (Stream<Path> files = Files.list(rounds)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                times.add(Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS));
            }
        }
        return times.stream().min(Comparator.naturalOrder()).orElseThrow() + " to "
                + times.stream().max(Comparator.naturalOrder()).orElseThrow();
    }

    private static String field(List<String> cpuinfo, String name) {
        return cpuinfo.stream().filter(line -> line.startsWith(name)).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).strip()).orElse("(unknown)");
    }

    /** Reads the oneDNN verbose lines run.sh kept: {@code <build>.txt} per oneDNN build. */
    private static List<NativesResults.OnednnKernels> onednnKernels(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<NativesResults.OnednnKernels> kernels = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                // e.g. "onednn_verbose,info,cpu,isa:Intel AVX-512 ..." and
                // "onednn_verbose,exec,cpu,convolution,jit:avx512_common,backward_data,src_f32..."
                String isa = lines.stream().filter(l -> l.contains(",info,cpu,isa:")).findFirst()
                        .map(l -> l.substring(l.indexOf("isa:") + 4)).orElse("(not reported)");
                List<String> convolutions = lines.stream().filter(l -> l.contains(",exec,cpu,convolution,"))
                        .map(l -> l.split(",")).filter(f -> f.length > 5).map(f -> f[5] + ": " + f[4])
                        .distinct().toList();
                String name = file.getFileName().toString();
                kernels.add(new NativesResults.OnednnKernels(name.substring(0, name.length() - 4), isa, convolutions));
            }
        }
        return kernels;
    }

    private static <T> List<T> readAll(Path folder, Class<T> type) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<T> values = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                values.add(JSON.readValue(file.toFile(), type));
            }
        }
        return values;
    }
}
