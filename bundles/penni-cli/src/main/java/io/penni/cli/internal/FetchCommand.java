package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.JobState;
import io.penni.model.ModelArtifacts;
import io.penni.pipeline.ReportAssembler;
import io.penni.workflow.Topics;

/**
 * {@code penni fetch JOB DIR [--bootstrap HOST:PORT]}: copies a completed job's compressed model (its graph and
 * weights, under the names the artifact store gave them, e.g. {@code model.json} and {@code model.safetensors}),
 * {@code model.onnx} (the compressed model as ONNX, factored form), {@code report.json}, {@code report.md},
 * {@code learning-curves.csv} and the report's pictures ({@code figures/*.png}, where report.md links them) into DIR,
 * checking each file's SHA-256, and prints what it wrote. Jobs that completed before jobs drew pictures (or wrote
 * model.onnx) are fetched without them.
 */
public final class FetchCommand implements Command {

    /** What fetch copies: the job table's artifact names, in the order they are copied. */
    private static final List<String> ARTIFACTS = List.of(ModelArtifacts.MODEL, ModelArtifacts.WEIGHTS,
            ReportAssembler.MODEL_ONNX, ReportAssembler.REPORT_JSON, ReportAssembler.REPORT_MARKDOWN,
            ReportAssembler.LEARNING_CURVES);

    @Override
    public List<String> path() {
        return List.of("fetch");
    }

    @Override
    public String arguments() {
        return "JOB DIR [--bootstrap HOST:PORT]";
    }

    @Override
    public String description() {
        return "copy a completed job's model, weights, model.onnx, reports, learning curves and figures into DIR, "
                + "checking each sha256";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("fetch", arguments(), args, Set.of(), Set.of("--bootstrap"));
        List<String> words = a.exactly(2, "a job id and a folder");
        String jobId = words.get(0);
        Path dir = Path.of(words.get(1));
        // jobs completed before jobs wrote model.onnx have none: everything else of theirs is still fetched
        Map<String, ArtifactRef> artifacts = completedArtifacts("fetch", jobId, a.option("--bootstrap"),
                ARTIFACTS.stream().filter(n -> !n.equals(ReportAssembler.MODEL_ONNX)).toList());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException("fetch: cannot create " + dir + ": " + e.getMessage(), CliException.FAILED);
        }
        for (String name : ARTIFACTS.stream().filter(artifacts::containsKey).toList()) {
            ArtifactRef ref = artifacts.get(name);
            Path file = dir.resolve(ArtifactFiles.fileName(ref));
            ArtifactFiles.copy(ref, file, name + " of job " + jobId);
            out.printf("wrote %s (%s, sha256 %s)%n", file, Figures.bytes(ref.size()), ref.sha256());
        }
        List<String> figures = artifacts.keySet().stream().filter(FetchCommand::isFigure).sorted().toList();
        if (!figures.isEmpty()) {
            try {
                Files.createDirectories(dir.resolve(ReportAssembler.FIGURES));
            } catch (IOException e) {
                throw new CliException("fetch: cannot create " + dir.resolve(ReportAssembler.FIGURES) + ": "
                        + e.getMessage(), CliException.FAILED);
            }
        }
        for (String name : figures) {
            ArtifactRef ref = artifacts.get(name);
            Path file = dir.resolve(name); // isFigure: one plain name under figures/
            ArtifactFiles.copy(ref, file, name + " of job " + jobId);
            out.printf("wrote %s (%s, sha256 %s)%n", file, Figures.bytes(ref.size()), ref.sha256());
        }
        return 0;
    }

    /** A picture of the report: a plain PNG name under figures/, nothing that could climb out of DIR. */
    static boolean isFigure(String name) {
        return name.startsWith(ReportAssembler.FIGURES)
                && name.substring(ReportAssembler.FIGURES.length()).matches("[A-Za-z0-9][A-Za-z0-9._-]*\\.png");
    }

    /**
     * A completed job's artifacts, read from the job table.
     *
     * @param command the command, for messages
     * @param jobId the job
     * @param bootstrap {@code --bootstrap}, when given
     * @param needed the artifact names the command needs
     * @return every artifact of the job by name
     * @throws CliException when the job is unknown, not completed, or lacks one of the needed artifacts
     */
    static Map<String, ArtifactRef> completedArtifacts(String command, String jobId, Optional<String> bootstrap,
            List<String> needed) {
        KafkaTarget target = KafkaTarget.forThisProcess(bootstrap);
        JobState job;
        try (KafkaSession session = KafkaSession.open(target, List.of(Topics.JOBS))) {
            job = JobTable.read(session).requireCompleted(jobId, command);
        }
        Map<String, ArtifactRef> artifacts = job.artifacts();
        List<String> missing = needed.stream().filter(n -> !artifacts.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new CliException(command + ": job " + jobId + " names no " + String.join(", ", missing)
                    + " artifact in " + Topics.JOBS, CliException.FAILED);
        }
        return artifacts;
    }
}
