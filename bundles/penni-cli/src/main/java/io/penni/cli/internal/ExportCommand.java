package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.JobState;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Model;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelException;
import io.penni.model.ModelFiles;
import io.penni.model.NetworkShapes;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;
import io.penni.workflow.Topics;

/**
 * {@code penni export MODEL.json|JOB [--form factored|dense] --out FILE.onnx [--bootstrap HOST:PORT]}: writes a
 * model file, or a completed job's compressed model (checked against its SHA-256), as ONNX. The factored form
 * (the default, as in a job's {@code model.onnx}) keeps each decomposed layer's basis and coefficient
 * convolutions; the dense form writes one convolution with the reconstructed weights, which runtimes without
 * PENNI's sparse kernels run faster.
 */
public final class ExportCommand implements Command {

    @Override
    public List<String> path() {
        return List.of("export");
    }

    @Override
    public String arguments() {
        return "MODEL.json|JOB [--form factored|dense] --out FILE.onnx [--bootstrap HOST:PORT]";
    }

    @Override
    public String description() {
        return "write a model file or a completed job's model as ONNX, factored (default) or dense";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("export", arguments(), args, Set.of(), Set.of("--form", "--out",
                "--bootstrap"));
        String subject = a.exactly(1, "a model file or a job id").get(0);
        String formName = a.option("--form").orElse(ExportForm.FACTORED.label());
        ExportForm form = ExportForm.of(formName).orElseThrow(() -> CliException.usage("export: --form must be "
                + "factored or dense, not '" + formName + "'"));
        Path file = Path.of(a.option("--out").orElseThrow(() -> CliException.usage("export: --out FILE.onnx is "
                + "required; usage: export " + arguments())));
        Model model = subject.endsWith(".json") || Files.isRegularFile(Path.of(subject))
                ? ModelFiles.load(Path.of(subject))
                : jobModel(subject, a);
        try {
            OnnxExport.write(model, form, file);
            ActivationShape input = NetworkShapes.input(model.network());
            long outputs = NetworkShapes.infer(model.network()).get(model.network().output()).size();
            out.printf("wrote %s (%s, %s form of %s; input \"%s\" [N, %d, %d, %d], output \"%s\" [N, %d])%n", file,
                    Figures.bytes(Files.size(file)), form.label(), model.network().name(), OnnxExport.INPUT,
                    input.channels(), input.height(), input.width(), OnnxExport.OUTPUT, outputs);
        } catch (IOException e) {
            throw new CliException("export: cannot write " + file + ": " + e.getMessage(), CliException.FAILED);
        }
        return 0;
    }

    /** A completed job's compressed model: its graph and weights copied (and checked) into a scratch folder. */
    private static Model jobModel(String jobId, Arguments a) {
        JobState job;
        try (KafkaSession session = KafkaSession.open(KafkaTarget.forThisProcess(a.option("--bootstrap")),
                List.of(Topics.JOBS))) {
            job = JobTable.read(session).requireCompleted(jobId, "export");
        }
        Map<String, ArtifactRef> artifacts = job.artifacts();
        for (String name : List.of(ModelArtifacts.MODEL, ModelArtifacts.WEIGHTS)) {
            if (!artifacts.containsKey(name)) {
                throw new CliException("export: job " + jobId + " names no " + name + " artifact in " + Topics.JOBS,
                        CliException.FAILED);
            }
        }
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("penni-export");
            Path graph = scratch.resolve("model.json");
            ArtifactFiles.copy(artifacts.get(ModelArtifacts.MODEL), graph, "model of job " + jobId);
            ArtifactFiles.copy(artifacts.get(ModelArtifacts.WEIGHTS), ModelFiles.weightsOf(graph),
                    "weights of job " + jobId);
            return ModelFiles.load(graph);
        } catch (ModelException e) {
            throw new CliException("export: the model of job " + jobId + " (" + artifacts.get(ModelArtifacts.MODEL)
                    .uri() + ") cannot be read: " + e.getMessage(), CliException.FAILED);
        } catch (IOException e) {
            throw new CliException("export: cannot make a scratch folder: " + e.getMessage(), CliException.FAILED);
        } finally {
            delete(scratch);
        }
    }

    private static void delete(Path folder) {
        if (folder == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a scratch folder left in the temporary directory is no failure of the export
        }
    }
}
