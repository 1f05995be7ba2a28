package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.job.CompressionRequest;
import io.penni.api.model.Model;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.decomposer.DecomposerStages;
import io.penni.evaluator.EvaluatorStages;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.EngineOptions;
import io.penni.model.Architectures;
import io.penni.pipeline.CompressionPipeline;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.JobReport;
import io.penni.pipeline.PipelineResult;
import io.penni.pipeline.ReportAssembler;
import io.penni.pipeline.RequestEnvironment;
import io.penni.pipeline.RequestOutcome;
import io.penni.pruner.PrunerStages;
import io.penni.shrinker.ShrinkerStages;
import io.penni.strategy.std.internal.StdThresholdStrategy;
import io.penni.trainer.TrainingEnvironment;
import io.penni.trainer.TrainingStages;

/**
 * {@code compress REQUEST.json --local --out DIR}: runs a whole job in this process, without Kafka or the
 * container, and writes {@code DIR/report.json}, {@code report.md}, the compressed model ({@code model.json} +
 * {@code model.safetensors}) and {@code learning-curves.csv}. The job's artifacts and checkpoints stay in
 * {@code DIR/artifacts}, so running the same command again resumes where it stopped.
 */
public final class CompressCommand implements Command {

    @Override
    public List<String> path() {
        return List.of("compress");
    }

    @Override
    public String arguments() {
        return "REQUEST.json --local --out DIR [--data-root DIR] [--model-root DIR]";
    }

    @Override
    public String description() {
        return "run a compression request in this process (no server) and write the report and model to DIR";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Options options = Options.parse(args);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(options.request());
        } catch (NoSuchFileException e) {
            throw new CliException("compress: no file " + options.request(), CliException.FAILED);
        } catch (IOException e) {
            throw new CliException("compress: cannot read " + options.request() + ": " + e.getMessage(), CliException.FAILED);
        }
        RequestEnvironment environment = new RequestEnvironment(options.dataRoot(), options.modelRoot(),
                Set.copyOf(Architectures.names()), Set.of(StdThresholdStrategy.NAME), Set.of(CpuEngine.BACKEND));
        RequestOutcome outcome = CompressionRequests.parse(bytes, Optional.of(jobId(options.request())), environment);
        if (outcome instanceof RequestOutcome.Rejected rejected) {
            throw new CliException("compress: the request is not usable: " + rejected.summary(), CliException.FAILED);
        }
        CompressionRequest request = ((RequestOutcome.Accepted) outcome).request();
        NativeBuild.select();
        FileSystemArtifactStore store = new FileSystemArtifactStore(options.out().resolve("artifacts"));
        try (CpuEngine cpu = new CpuEngine(new EngineOptions(Runtime.getRuntime().availableProcessors(),
                EngineOptions.KernelSet.MEASURED, Duration.ofMillis(20), EngineOptions.Split.MEASURED))) {
            Map<String, CompressionStage> stages = stages(options, cpu);
            out.println("job " + request.jobId() + ": " + request.model() + " on " + request.dataset().format()
                    + "; artifacts in " + store.root());
            ProgressPrinter printer = new ProgressPrinter(out);
            PipelineResult result = new CompressionPipeline(stages, store).run(request, printer, () -> false);
            if (result.failure().isPresent()) {
                PipelineResult.Failure f = result.failure().get();
                throw new CliException("compress: stage " + f.stage() + " failed: " + f.reason(), CliException.FAILED);
            }
            JobReport report = ReportAssembler.assemble(store, request, StageNames.ALL);
            write(store, options.out(), result.artifacts(), report);
            out.println();
            out.println(Files.readString(store.open(report.artifacts().get(ReportAssembler.REPORT_MARKDOWN))));
            out.println("wrote " + options.out().resolve("report.json") + ", report.md, model.json, "
                    + "model.safetensors, learning-curves.csv");
            out.println(report.oneLine());
            return 0;
        } catch (IOException e) {
            throw new CliException("compress: " + e.getMessage(), CliException.FAILED);
        }
    }

    private static Map<String, CompressionStage> stages(Options options, CpuEngine cpu) {
        TrainingEnvironment training = new TrainingEnvironment(options.dataRoot(), options.modelRoot(), 1);
        Map<String, InferenceBackend> backends = new LinkedHashMap<>();
        backends.put(CpuEngine.BACKEND, backend(cpu.info(), cpu::load));
        io.penni.inference.samediff.SameDiffEngine dense = new io.penni.inference.samediff.SameDiffEngine();
        backends.put(io.penni.inference.samediff.SameDiffEngine.BACKEND, backend(dense.info(), dense::load));
        Map<String, CompressionStage> stages = new LinkedHashMap<>();
        stages.put(StageNames.PRETRAIN, TrainingStages.pretrain(training));
        stages.put(StageNames.DECOMPOSE, DecomposerStages.decompose());
        stages.put(StageNames.RETRAIN, TrainingStages.retrain(training));
        stages.put(StageNames.PRUNE, PrunerStages.withStrategy(StdThresholdStrategy.NAME, new StdThresholdStrategy(),
                "penni-strategy-std"));
        stages.put(StageNames.FINETUNE, TrainingStages.finetune(training));
        stages.put(StageNames.SHRINK, ShrinkerStages.shrink());
        stages.put(StageNames.EVALUATE, EvaluatorStages.evaluate(backends, options.dataRoot()));
        return stages;
    }

    private static InferenceBackend backend(BackendInfo info, java.util.function.Function<Model, LoadOutcome> load) {
        return new InferenceBackend() {
            @Override
            public BackendInfo info() {
                return info;
            }

            @Override
            public LoadOutcome load(Model model) {
                return load.apply(model);
            }
        };
    }

    private static void write(FileSystemArtifactStore store, Path out, Map<String, ArtifactRef> artifacts,
            JobReport report) throws IOException {
        Files.createDirectories(out);
        copy(store, artifacts.get("model"), out.resolve("model.json"));
        copy(store, artifacts.get("weights"), out.resolve("model.safetensors"));
        copy(store, report.artifacts().get(ReportAssembler.REPORT_JSON), out.resolve("report.json"));
        copy(store, report.artifacts().get(ReportAssembler.REPORT_MARKDOWN), out.resolve("report.md"));
        copy(store, report.artifacts().get(ReportAssembler.LEARNING_CURVES), out.resolve("learning-curves.csv"));
    }

    private static void copy(FileSystemArtifactStore store, ArtifactRef ref, Path target) throws IOException {
        if (ref == null) {
            throw new IOException("the job produced no artifact for " + target.getFileName());
        }
        Files.copy(store.open(ref), target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String jobId(Path request) {
        return request.getFileName().toString().replaceFirst("\\.json$", "").replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /** The command's options. */
    private record Options(Path request, Path out, Path dataRoot, Path modelRoot) {
        static Options parse(List<String> args) {
            Path request = null;
            Path out = null;
            Path dataRoot = Path.of("/usr/share/datasets");
            Path modelRoot = Path.of("models");
            boolean local = false;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--local" -> local = true;
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--data-root" -> dataRoot = Path.of(value(args, ++i, a));
                    case "--model-root" -> modelRoot = Path.of(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("--") || request != null) {
                            throw CliException.usage("compress: unexpected argument " + a);
                        }
                        request = Path.of(a);
                    }
                }
            }
            if (request == null || out == null) {
                throw CliException.usage("compress: usage: compress REQUEST.json --local --out DIR");
            }
            if (!local) {
                throw CliException.usage("compress: only --local runs here; to use the server, run: bin/penni submit "
                        + request + " --follow");
            }
            return new Options(request, out, dataRoot, modelRoot);
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw CliException.usage("compress: " + option + " needs a value");
            }
            return args.get(i);
        }
    }

    /** Prints each stage's start, its progress on one line (in place on a terminal) and its end. */
    private static final class ProgressPrinter implements CompressionPipeline.Listener {
        private final PrintStream out;
        private final boolean terminal = System.console() != null;
        private long lastLine;

        ProgressPrinter(PrintStream out) {
            this.out = out;
        }

        @Override
        public void stageStarted(String stage, boolean skipped) {
            out.println(skipped ? stage + ": done before, reusing its outputs" : stage + ": started");
        }

        @Override
        public void progress(String stage, StageProgress p) {
            boolean epochEnd = p.iteration() == 0 && p.epochs() > 0;
            long now = System.nanoTime();
            if (!epochEnd && p.message().isEmpty() && now - lastLine < 1_000_000_000L) {
                return;
            }
            lastLine = now;
            StringBuilder line = new StringBuilder(stage);
            if (p.epochs() > 0) {
                line.append(String.format(Locale.ROOT, " epoch %d/%d", p.epoch(), p.epochs()));
            }
            if (p.iterations() > 0) {
                line.append(String.format(Locale.ROOT, " step %d/%d", p.iteration(), p.iterations()));
            }
            p.loss().ifPresent(v -> line.append(String.format(Locale.ROOT, " loss %.3f", v)));
            p.accuracy().ifPresent(v -> line.append(String.format(Locale.ROOT, " acc %.1f%%", 100 * v)));
            p.sparsity().ifPresent(v -> line.append(String.format(Locale.ROOT, " sparsity %.1f%%", 100 * v)));
            p.imagesPerSecond().ifPresent(v -> line.append(String.format(Locale.ROOT, " %.0f img/s", v)));
            if (!p.message().isEmpty()) {
                line.append(" — ").append(p.message());
            }
            if (terminal && !epochEnd && p.message().isEmpty()) {
                out.print("\r" + line + "\u001b[K");
            } else {
                out.println((terminal ? "\r" : "") + line);
            }
        }

        @Override
        public void stageEnded(String stage, StageOutcome outcome, double seconds) {
            String how = outcome instanceof StageOutcome.Failed f ? "failed: " + f.reason() : "completed";
            out.println((terminal ? "\r\u001b[K" : "") + String.format(Locale.ROOT, "%s: %s in %.1f s", stage, how, seconds));
        }
    }
}
