package io.penni.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.CpuModel;
import io.penni.inference.cpu.EngineOptions;
import io.penni.inference.cpu.FmaPeak;
import io.penni.inference.cpu.LatencyProbe;
import io.penni.inference.cpu.LatencyStats;
import io.penni.inference.cpu.LayerPlan;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelCounter;
import io.penni.model.ModelFiles;

/**
 * {@code penni bench-inference MODEL.json|ARCH [--backend cpu|cuda|dense-reference] [--batch 1,32,128]
 * [--decompose D] [--prune FRACTION] [--runs N]}: times one model on one backend at each batch size (warm-up,
 * then the median and 95th percentile of many runs) and prints throughput and GFLOP/s against the machine's
 * float32 peak, which it measures first. For an architecture, {@code --decompose} and {@code --prune} make a
 * stand-in compressed model (random factors, random pruning) to time.
 */
public final class BenchInferenceCommand implements Command {

    private static final String CUDA = "cuda";

    @Override
    public List<String> path() {
        return List.of("bench-inference");
    }

    @Override
    public String arguments() {
        return "MODEL.json|ARCH [--backend cpu|cuda|dense-reference] [--batch 1,32,128] [--decompose D] "
                + "[--prune F] [--runs N]";
    }

    @Override
    public String description() {
        return "latency, throughput and GFLOP/s of a model on an inference backend, against the fp32 peak";
    }

    private record Options(String subject, String backend, List<Integer> batches, int decompose, double prune,
            int runs) {
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Options o = parse(args);
        Model model = model(o);
        out.printf(Locale.ROOT, "model %s: %.2f M parameters, %.2f M MACs per image%n", model.network().name(),
                ModelCounter.count(model).params() / 1e6, ModelCounter.count(model).macs() / 1e6);
        int threads = Runtime.getRuntime().availableProcessors();
        FmaPeak.Peak peak = FmaPeak.measure(threads, Duration.ofMillis(500));
        out.printf(Locale.ROOT, "fp32 peak: %.1f GFLOP/s (%s)%n", peak.gflops(), peak.method());
        CpuEngine cpu = null;
        try {
            LoadedModel loaded;
            if (o.backend().equals(CpuEngine.BACKEND)) {
                cpu = new CpuEngine(EngineOptions.defaults());
                out.println("backend: " + cpu.info().device());
                loaded = loaded(cpu.load(model), o.backend());
                plan(out, (CpuModel) loaded);
            } else if (o.backend().equals(CUDA)) {
                throw new CliException("bench-inference: the cuda backend runs only inside the server on a machine "
                        + "with a GPU and its driver (bundle penni-inference-cuda); use --backend cpu or "
                        + "dense-reference here", CliException.FAILED);
            } else {
                loaded = denseReference(model, out);
            }
            long macs = ModelCounter.count(model).macs();
            out.println("batch  median ms     p95 ms   images/s   GFLOP/s  % of peak");
            for (int batch : o.batches()) {
                int runs = o.runs() > 0 ? o.runs() : batch == 1 ? 200 : batch <= 32 ? 50 : 20;
                LatencyStats s = LatencyProbe.interleaved(List.of(loaded), batch, Math.max(3, runs / 5),
                        LatencyProbe.JIT_WARMUP, runs).get(0);
                out.printf(Locale.ROOT, "%5d %10.3f %10.3f %10.1f %9.2f %9.1f%%%n", batch, s.medianMs(), s.p95Ms(),
                        s.imagesPerSecond(), s.gflops(macs), 100 * s.gflops(macs) / peak.gflops());
            }
            loaded.close();
            return 0;
        } finally {
            if (cpu != null) {
                cpu.close();
            }
        }
    }

    private static void plan(PrintStream out, CpuModel model) {
        out.println("layer plan (kernels chosen by rule from each layer's shape and density, the same in every process):");
        for (LayerPlan p : model.plan()) {
            out.printf(Locale.ROOT, "  %-22s %-34s %-20s%s%n", p.layer(), p.kind(), p.kernels(),
                    p.splitAtBatchOne() ? " split at batch 1" : "");
        }
    }

    /** The dense reference backend; ND4J is told which native build is on the class path before it loads. */
    private static LoadedModel denseReference(Model model, PrintStream out) {
        NativeBuild.select();
        io.penni.inference.samediff.SameDiffEngine engine = new io.penni.inference.samediff.SameDiffEngine();
        out.println("backend: " + engine.info().device());
        return loaded(engine.load(model), io.penni.inference.samediff.SameDiffEngine.BACKEND);
    }

    private static LoadedModel loaded(LoadOutcome outcome, String backend) {
        if (outcome instanceof LoadOutcome.Unsupported u) {
            throw new CliException("bench-inference: backend " + backend + " cannot run this model: " + u.reason(),
                    CliException.FAILED);
        }
        return ((LoadOutcome.Loaded) outcome).model();
    }

    private static Model model(Options o) {
        String subject = o.subject();
        boolean file = subject.endsWith(".json") || Files.isRegularFile(Path.of(subject));
        Model model = file ? ModelFiles.load(Path.of(subject)) : Architectures.create(subject, 1);
        if (o.decompose() > 0) {
            model = SyntheticCompression.decompose(model, o.decompose(), 1);
        }
        if (o.prune() > 0) {
            if (o.decompose() == 0 && !file) {
                throw CliException.usage("bench-inference: --prune needs --decompose for an architecture");
            }
            model = SyntheticCompression.prune(model, o.prune(), 1);
        }
        return model;
    }

    private Options parse(List<String> args) {
        String backend = CpuEngine.BACKEND;
        List<Integer> batches = List.of(1, 32, 128);
        int decompose = 0;
        double prune = 0;
        int runs = 0;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            if (i + 1 >= args.size()) {
                throw CliException.usage("bench-inference: " + a + " needs a value; usage: bench-inference "
                        + arguments());
            }
            String v = args.get(++i);
            try {
                switch (a) {
                    case "--backend" -> backend = v;
                    case "--batch" -> batches = List.of(v.split(",")).stream().map(String::trim)
                            .map(Integer::parseInt).toList();
                    case "--decompose" -> decompose = Integer.parseInt(v);
                    case "--prune" -> prune = Double.parseDouble(v);
                    case "--runs" -> runs = Integer.parseInt(v);
                    default -> throw CliException.usage("bench-inference: unknown option " + a + "; usage: "
                            + "bench-inference " + arguments());
                }
            } catch (NumberFormatException e) {
                throw CliException.usage("bench-inference: " + a + " takes a number, got '" + v + "'");
            }
        }
        if (!List.of(CpuEngine.BACKEND, CUDA, "dense-reference").contains(backend)) {
            throw CliException.usage("bench-inference: unknown backend '" + backend
                    + "'; choose cpu, cuda or dense-reference");
        }
        if (batches.stream().anyMatch(b -> b < 1) || decompose < 0 || !(prune >= 0 && prune < 1) || runs < 0) {
            throw CliException.usage("bench-inference: batch sizes and --runs must be positive, --decompose >= 1 "
                    + "and --prune in [0, 1)");
        }
        if (positional.size() != 1) {
            throw CliException.usage("bench-inference: give one model file or architecture; usage: bench-inference "
                    + arguments());
        }
        return new Options(positional.get(0), backend, batches, decompose, prune, runs);
    }
}
