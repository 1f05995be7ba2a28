package io.penni.local.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageNames;
import io.penni.pipeline.CompressionPipeline;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.JobReport;
import io.penni.pipeline.PipelineResult;
import io.penni.pipeline.ReportAssembler;
import io.penni.pipeline.RequestEnvironment;
import io.penni.pipeline.RequestOutcome;
import io.penni.pipeline.StageRunner;

/**
 * One request run through the given stages in this process: checked as the server's intake checks it, run by the
 * job core's pipeline (which runs each stage through the one stage runner, so a run again resumes after the stages
 * that completed), reported, and copied out as {@code report.json}, {@code report.md}, {@code model.json},
 * {@code model.safetensors}, {@code model.onnx}, {@code learning-curves.csv} and the PNG pictures under
 * {@code figures/}. Every failure is one line on the output and status 1.
 */
final class LocalJob {

    private final Map<String, CompressionStage> stages;
    private final ArtifactStore store;
    private final Supplier<RequestEnvironment> environment;
    private final BiFunction<String, Map<String, String>, Optional<String>> checkParameters;
    private final PrintStream out;
    private final BooleanSupplier cancelled;

    /**
     * @param checkParameters the named strategy's check of the request's parameters (as the server's intake
     *        asks it): a problem refuses the request before any stage runs
     */
    LocalJob(Map<String, CompressionStage> stages, ArtifactStore store, Supplier<RequestEnvironment> environment,
            BiFunction<String, Map<String, String>, Optional<String>> checkParameters, PrintStream out,
            BooleanSupplier cancelled) {
        this.stages = Map.copyOf(stages);
        this.store = store;
        this.environment = environment;
        this.checkParameters = checkParameters;
        this.out = out;
        this.cancelled = cancelled;
    }

    /**
     * @param requestFile the request
     * @param folder where the report and the model go
     * @return 0 when the job completed, 1 when it could not run or failed
     */
    int run(Path requestFile, Path folder) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(requestFile);
        } catch (NoSuchFileException e) {
            return failed("no file " + requestFile);
        } catch (IOException e) {
            return failed("cannot read " + requestFile + ": " + e.getMessage());
        }
        RequestOutcome outcome = CompressionRequests.withStrategyParameters(
                CompressionRequests.parse(bytes, Optional.of(jobId(requestFile)), environment.get()), checkParameters);
        if (outcome instanceof RequestOutcome.Rejected rejected) {
            return failed("the request is not usable: " + rejected.summary());
        }
        CompressionRequest request = ((RequestOutcome.Accepted) outcome).request();
        out.println("job " + request.jobId() + ": " + request.model() + " on " + request.dataset().format()
                + "; artifacts in " + folder.resolve("artifacts"));
        Path modelRoot = environment.get().modelRoot();
        PipelineResult result = new CompressionPipeline(stages, new StageRunner(store, () -> Optional.of(modelRoot)),
                StageNames.ALL)
                .run(request, new ProgressPrinter(out), cancelled);
        if (result.failure().isPresent()) {
            PipelineResult.Failure f = result.failure().get();
            return failed("stage " + f.stage() + " failed: " + f.reason());
        }
        try {
            JobReport report = ReportAssembler.assemble(store, request, StageNames.ALL);
            write(folder, result.artifacts(), report);
            out.println();
            out.println(Files.readString(store.open(report.artifacts().get(ReportAssembler.REPORT_MARKDOWN))));
            out.println("wrote " + folder.resolve("report.json") + ", report.md, model.json, model.safetensors, "
                    + "model.onnx, learning-curves.csv, " + report.artifacts().keySet().stream()
                    .filter(n -> n.startsWith(ReportAssembler.FIGURES)).count() + " pictures in figures/");
            out.println(report.oneLine());
            return 0;
        } catch (IOException | RuntimeException e) {
            return failed(e.getMessage());
        }
    }

    private int failed(String reason) {
        out.println("penni: compress: " + reason);
        return 1;
    }

    private void write(Path folder, Map<String, ArtifactRef> artifacts, JobReport report) throws IOException {
        Files.createDirectories(folder);
        Map<String, ArtifactRef> files = new java.util.LinkedHashMap<>();
        files.put("model.json", artifacts.get("model"));
        files.put("model.safetensors", artifacts.get("weights"));
        files.put("report.json", report.artifacts().get(ReportAssembler.REPORT_JSON));
        files.put("report.md", report.artifacts().get(ReportAssembler.REPORT_MARKDOWN));
        files.put("learning-curves.csv", report.artifacts().get(ReportAssembler.LEARNING_CURVES));
        files.put("model.onnx", report.artifacts().get(ReportAssembler.MODEL_ONNX));
        // the figures, under the names report.md links them by (figures/...)
        report.artifacts().forEach((name, ref) -> {
            if (name.startsWith(ReportAssembler.FIGURES)) {
                files.put(name, ref);
            }
        });
        Files.createDirectories(folder.resolve(ReportAssembler.FIGURES));
        for (Map.Entry<String, ArtifactRef> file : files.entrySet()) {
            if (file.getValue() == null) {
                throw new IOException("the job produced no artifact for " + file.getKey());
            }
            Files.copy(store.open(file.getValue()), folder.resolve(file.getKey()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The job id a request file gives: its name without {@code .json}, in the characters job ids allow. */
    static String jobId(Path request) {
        return request.getFileName().toString().replaceFirst("\\.json$", "").replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
