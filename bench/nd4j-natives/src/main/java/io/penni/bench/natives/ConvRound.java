package io.penni.bench.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One round for one native build, in its own JVM: checks that ND4J loaded the build asked for, then times
 * a SameDiff 3×3 conv2d forward + backward (gradients for input and weights) at each {@link ConvShape},
 * and writes a {@link RoundResult} as JSON.
 *
 * <p>Usage: {@code ConvRound <classifier> <round> <position from 1> <warmup> <iterations> <out.json>}. The JVM must
 * be started with that build's jar on the class path and
 * {@code -Dorg.bytedeco.javacpp.platform.extension=<extension>}; run.sh does both.
 */
public final class ConvRound {

    private static final String INPUT = "input";
    private static final String WEIGHT = "weight";

    private ConvRound() {
    }

    /**
     * Runs the round.
     *
     * @param args classifier, round, position, warm-up iterations, timed iterations, output file
     * @throws IOException when the result cannot be written
     */
    public static void main(String[] args) throws IOException {
        try {
            run(args);
        } catch (BenchmarkFailure | IllegalArgumentException e) {
            // one line for whoever runs the benchmark (a bad classifier too); run.sh stops on the non-zero exit
            System.err.println("ERROR " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(String[] args) throws IOException {
        if (args.length != 6) {
            throw new BenchmarkFailure("usage: ConvRound <classifier> <round> <position from 1> <warmup> <iterations> <out.json>");
        }
        NativeBuild build = new NativeBuild(args[0]);
        int round = positive("round", args[1]);
        int position = positive("position", args[2]) - 1;
        int warmup = positive("warmup", args[3]);
        int iterations = positive("iterations", args[4]);
        Path out = Path.of(args[5]);

        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        if (!extension.equals(build.extension())) {
            throw new BenchmarkFailure(build.classifier() + ": started with org.bytedeco.javacpp.platform.extension='" + extension
                    + "', expected '" + build.extension() + "'");
        }
        long started = System.nanoTime();
        Nd4j.create(new float[] {1f, 2f}).sumNumber();
        long backendStartMillis = (System.nanoTime() - started) / 1_000_000;

        LoadedNatives loaded = LoadedNatives.inspect();
        System.out.printf("%s: loaded %s; binary level %d (CPU optimum %d); build information:%n%s%n",
                build.classifier(), loaded.libraries(), loaded.binaryLevel(), loaded.optimalLevel(),
                loaded.buildInfo());
        List<String> problems = loaded.mismatches(build);
        if (!problems.isEmpty()) {
            throw new BenchmarkFailure("asked for " + build.classifier() + " but ND4J loaded something else: " + String.join("; ", problems));
        }

        double loadBefore = loadAverage();
        List<RoundResult.ShapeSamples> shapes = new ArrayList<>();
        for (ConvShape shape : ConvShape.standard()) {
            RoundResult.ShapeSamples samples = time(shape, warmup, iterations);
            shapes.add(samples);
            System.out.printf("%s round %d: %s median %.1f ms%n", build.classifier(), round, shape.name(),
                    Samples.median(samples.millis()));
        }
        RoundResult result = new RoundResult(build.classifier(), round, position,
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                Nd4j.getEnvironment().maxMasterThreads(), backendStartMillis, loaded, loadBefore, loadAverage(), shapes);
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
    }

    private static RoundResult.ShapeSamples time(ConvShape shape, int warmup, int iterations) {
        // Same seed for every build, so the norms of what each build computes can be compared.
        SplittableRandom random = new SplittableRandom(shape.name().hashCode());
        SameDiff sd = SameDiff.create();
        sd.var(INPUT, Nd4j.create(uniform(random, shape.inputShape(), 1.0), shape.inputShape()));
        double heScale = Math.sqrt(6.0 / (ConvShape.KERNEL * ConvShape.KERNEL * shape.inChannels()));
        sd.var(WEIGHT, Nd4j.create(uniform(random, shape.weightShape(), heScale), shape.weightShape()));
        SDVariable output = sd.cnn().conv2d("output", sd.getVariable(INPUT), sd.getVariable(WEIGHT),
                ConvShape.conv2dConfig());
        sd.setLossVariables(output.mul(output).mean("loss"));

        for (int i = 0; i < warmup; i++) {
            sd.calculateGradients(Map.of(), INPUT, WEIGHT);
        }
        List<Double> millis = new ArrayList<>(iterations);
        Map<String, INDArray> gradients = Map.of();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            gradients = sd.calculateGradients(Map.of(), INPUT, WEIGHT);
            millis.add((System.nanoTime() - t0) / 1e6);
        }
        double outputNorm = output.eval().norm2Number().doubleValue();
        return new RoundResult.ShapeSamples(shape, warmup, millis, outputNorm,
                gradients.get(INPUT).norm2Number().doubleValue(), gradients.get(WEIGHT).norm2Number().doubleValue());
    }

    /** @return the 1-minute load average from /proc/loadavg, or -1 where there is none */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static float[] uniform(SplittableRandom random, long[] shape, double scale) {
        long length = 1;
        for (long size : shape) {
            length *= size;
        }
        float[] values = new float[Math.toIntExact(length)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (scale * (2 * random.nextDouble() - 1));
        }
        return values;
    }

    private static int positive(String name, String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, as for a non-positive number
        }
        throw new BenchmarkFailure("ConvRound: " + name + " must be a positive integer, got '" + value + "'");
    }
}
