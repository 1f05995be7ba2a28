package io.penni.inference.cpu.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.CpuModel;
import io.penni.inference.cpu.EngineOptions;
import io.penni.model.ModelFiles;

/**
 * An in-process A/B of two coefficient settings of the CPU engine on one model: both loaded in the same JVM, timed
 * in alternating turns (the order flipping each round), many rounds, so that a shared machine's load falls on both
 * alike. Each turn is the median of a few runs; the report gives the median turn of each and the median of the
 * per-round ratios B / A, with the load average, and each side's per-step profile.
 *
 * <p>Arguments: {@code MODEL BATCHES THREADS ROUNDS A B OUT.md}; MODEL is {@code ARCH:VARIANT} (as
 * {@link EngineBenchmark}, e.g. {@code vgg-small:d5p97}) or a {@code model.json} path; A and B name
 * {@link EngineOptions.Coefficients} settings (e.g. {@code BANDED MEASURED}), each optionally followed by a slash and
 * an {@link EngineOptions.Split} setting ({@code MEASURED/ALWAYS}); A may instead be {@code build:DIR},
 * another build's engine classes (e.g. the commit before a change, compiled into DIR), loaded in the same JVM by
 * its own class loader and run with its default settings on THREADS threads. Appends Markdown to OUT.md.
 */
public final class EngineAB {

    private EngineAB() {
    }

    /**
     * Runs the comparison.
     *
     * @param args see the class comment
     * @throws IOException when the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        String spec = args[0];
        int[] batches = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int threads = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        String a = args[4];
        String b = args[5];
        Path out = Path.of(args[6]);
        Model model = spec.contains(":") ? EngineBenchmark.model(spec.substring(0, spec.indexOf(':')),
                spec.substring(spec.indexOf(':') + 1)) : ModelFiles.load(Path.of(spec));
        StringBuilder md = new StringBuilder();
        try (AutoCloseable engineA = a.startsWith("build:") ? OtherBuild.engine(Path.of(a.substring(6)), threads)
                : engine(threads, a);
                CpuEngine engineB = engine(threads, b);
                LoadedModel ma = load(engineA, model); CpuModel mb = (CpuModel) load(engineB, model)) {
            md.append(String.format(Locale.ROOT, "## %s, %d threads: %s (A) against %s (B)%n%n", spec, threads, a,
                    b));
            md.append("Load average at start: ").append(loadAverage()).append(".\n\n");
            md.append("| batch | A ms (median turn) | B ms (median turn) | B / A (median of rounds) | rounds B faster "
                    + "| A caller CPU ms | B caller CPU ms | B / A CPU |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (int batch : batches) {
                float[] input = new float[Math.toIntExact(batch * ma.inputShape().size())];
                java.util.SplittableRandom random = new java.util.SplittableRandom(batch);
                for (int i = 0; i < input.length; i++) {
                    input[i] = (float) random.nextGaussian();
                }
                int runs = batch == 1 ? 60 : batch <= 32 ? 8 : 3;
                turn(ma, input, batch, runs * 3);
                turn(mb, input, batch, runs * 3);
                double[] ta = new double[rounds];
                double[] tb = new double[rounds];
                double[] ratio = new double[rounds];
                double[] ca = new double[rounds];
                double[] cb = new double[rounds];
                double[] cpuRatio = new double[rounds];
                int faster = 0;
                for (int r = 0; r < rounds; r++) {
                    double[] turnA;
                    double[] turnB;
                    if (r % 2 == 0) {
                        turnA = turn(ma, input, batch, runs);
                        turnB = turn(mb, input, batch, runs);
                    } else {
                        turnB = turn(mb, input, batch, runs);
                        turnA = turn(ma, input, batch, runs);
                    }
                    ta[r] = turnA[0];
                    tb[r] = turnB[0];
                    ca[r] = turnA[1];
                    cb[r] = turnB[1];
                    ratio[r] = tb[r] / ta[r];
                    cpuRatio[r] = cb[r] / ca[r];
                    faster += tb[r] < ta[r] ? 1 : 0;
                }
                String line = String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.2f | %d / %d | %.3f | %.3f | %.2f |%n",
                        batch, median(ta), median(tb), median(ratio), faster, rounds, median(ca), median(cb),
                        median(cpuRatio));
                md.append(line);
                System.out.print(spec + " " + line);
            }
            md.append("\nLoad average at end: ").append(loadAverage()).append(".\n\n");
            for (int batch : batches) {
                if (batch <= 32) {
                    profile(md, "A " + a, ma, batch);
                    profile(md, "B " + b, mb, batch);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Files.writeString(out, md.toString(), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** @param setting a coefficient setting, optionally with a split setting after a slash: {@code MEASURED/ALWAYS} */
    private static CpuEngine engine(int threads, String setting) {
        String[] parts = setting.split("/", 2);
        EngineOptions.Split split = parts.length > 1 ? EngineOptions.Split.valueOf(parts[1])
                : EngineOptions.Split.MEASURED;
        return new CpuEngine(new EngineOptions(threads, EngineOptions.KernelSet.MEASURED, Duration.ZERO, split,
                EngineOptions.Coefficients.valueOf(parts[0])));
    }

    private static LoadedModel load(AutoCloseable engine, Model model) throws ReflectiveOperationException {
        LoadOutcome outcome = (LoadOutcome) engine.getClass().getMethod("load", Model.class).invoke(engine, model);
        if (!(outcome instanceof LoadOutcome.Loaded loaded)) {
            throw new IllegalStateException(((LoadOutcome.Unsupported) outcome).reason());
        }
        return loaded.model();
    }

    /** Another build's engine in this JVM: its own copies of the engine's classes, the API and model shared. */
    private static final class OtherBuild extends java.net.URLClassLoader {

        private static final String ENGINE = "io.penni.inference.cpu.";

        private OtherBuild(Path classes) throws IOException {
            super(new java.net.URL[] {classes.toUri().toURL()}, EngineAB.class.getClassLoader());
        }

        static AutoCloseable engine(Path classes, int threads) throws ReflectiveOperationException, IOException {
            ClassLoader loader = new OtherBuild(classes);
            Class<?> options = loader.loadClass(ENGINE + "EngineOptions");
            Class<?> kernels = loader.loadClass(ENGINE + "EngineOptions$KernelSet");
            Class<?> split = loader.loadClass(ENGINE + "EngineOptions$Split");
            Object settings = options.getConstructor(int.class, kernels, Duration.class, split).newInstance(threads,
                    measured(kernels), Duration.ZERO, measured(split));
            return (AutoCloseable) loader.loadClass(ENGINE + "CpuEngine").getConstructor(options)
                    .newInstance(settings);
        }

        private static Object measured(Class<?> setting) {
            for (Object value : setting.getEnumConstants()) {
                if (((Enum<?>) value).name().equals("MEASURED")) {
                    return value;
                }
            }
            throw new IllegalStateException(setting + " has no MEASURED");
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (!name.startsWith(ENGINE) || name.startsWith(ENGINE + "bench.")) {
                    return super.loadClass(name, resolve);
                }
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * @return the median wall milliseconds of {@code runs} runs, and the median CPU milliseconds of the calling
     *     thread per run (its share of the work and its waits, without the time it waited for a core)
     */
    private static double[] turn(LoadedModel m, float[] input, int batch, int runs) {
        double[] ms = new double[runs];
        double[] cpu = new double[runs];
        for (int r = 0; r < runs; r++) {
            long c0 = CPU.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            m.run(input, batch);
            ms[r] = (System.nanoTime() - t0) / 1e6;
            cpu[r] = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        return new double[] {median(ms), median(cpu)};
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Appends the model's per-step profile ({@code CpuModel.profile}), read reflectively: the model may be another
     * build's, its classes from another loader.
     */
    private static void profile(StringBuilder md, String label, LoadedModel m, int batch)
            throws ReflectiveOperationException {
        int runs = batch == 1 ? 200 : 30;
        List<?> steps = (List<?>) m.getClass().getMethod("profile", int.class, int.class).invoke(m, batch, runs);
        double total = 0;
        for (Object step : steps) {
            total += (double) get(step, "micros");
        }
        md.append(String.format(Locale.ROOT, "### %s, batch %d (sum of step medians %.1f µs)%n%n", label, batch,
                total));
        md.append("| step | kind | kernel | µs | % | MMACs | GFLOP/s |\n|---|---|---|---:|---:|---:|---:|\n");
        for (Object s : steps) {
            double micros = (double) get(s, "micros");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.0f | %.2f | %.1f |%n", get(s, "layer"),
                    get(s, "kind"), get(s, "kernel"), micros, 100 * micros / total, (long) get(s, "macs") / 1e6,
                    (double) get(s, "gflops")));
        }
        md.append('\n');
    }

    private static Object get(Object record, String accessor) throws ReflectiveOperationException {
        java.lang.reflect.Method method = record.getClass().getMethod(accessor);
        return method.invoke(record);
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
