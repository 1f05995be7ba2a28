package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Collectors;

import io.penni.api.artifact.ArtifactRef;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelDeployment;
import io.penni.model.ModelException;
import io.penni.model.ModelFiles;
import io.penni.model.ModelRepositoryFolder;

/**
 * {@code penni deploy JOB|MODEL.json [--name NAME] [--backend NAME] [--max-batch N] [--max-queue-delay-micros N]
 * [--queue-capacity N] [--request-timeout-millis N] [--repository DIR] [--bootstrap HOST:PORT]}: puts a model into the
 * server's model repository as the next version of NAME ({@code var/models/NAME/VERSION/model.json} with
 * {@code model.safetensors}), which the server then serves under {@code /v2/models/NAME}, replacing the version
 * before without a failed request. The model is a completed job's compressed model (checked against its SHA-256)
 * or a model file with its weights beside it (read whole first, so a broken one is refused here). The version
 * appears at once, whole: it is written into a hidden folder and renamed. The version's {@code deployment.json} says
 * where it came from and, when asked, the backend that runs it, its own batching and overload limits (the server's configuration
 * applies to what it does not name).
 */
public final class DeployCommand implements Command {

    private final Path base;

    /** The command for this process: the base folder from {@code PENNI_BASE}, else the current folder. */
    public DeployCommand() {
        this(Command.baseFolder());
    }

    /**
     * @param base the server's base folder, whose {@code var/models} is the repository
     */
    public DeployCommand(Path base) {
        this.base = base;
    }

    @Override
    public List<String> path() {
        return List.of("deploy");
    }

    @Override
    public String arguments() {
        return "JOB|MODEL.json [--name NAME] [--backend cpu|onnxruntime|cuda|dense-reference] "
                + ModelDeployment.LIMITS.stream().map(l -> "[" + l.option() + " N] ").collect(Collectors.joining())
                + "[--repository DIR] [--bootstrap HOST:PORT]";
    }

    private static Set<String> options() {
        Set<String> options = new java.util.HashSet<>(Set.of("--name", "--backend", "--repository", "--bootstrap"));
        ModelDeployment.LIMITS.forEach(l -> options.add(l.option()));
        return options;
    }

    @Override
    public String description() {
        return "serve a completed job's model, or a model file, as the next version of NAME under /v2/models/NAME";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("deploy", arguments(), args, Set.of(),
                options());
        String source = a.exactly(1, "a job id or a model file").get(0);
        Path graph = Path.of(source);
        boolean file = source.endsWith(".json") && Files.isRegularFile(graph);
        String name = a.option("--name").orElseGet(() -> file ? defaultName(graph) : "job-" + source);
        if (!ModelRepositoryFolder.validName(name)) {
            throw CliException.usage("deploy: '" + name + "' is not a model name: letters, digits, '_', '.', '-', "
                    + "starting with a letter or digit; give --name");
        }
        ModelDeployment deployment = deployment(a, file ? "file " + graph.toAbsolutePath().normalize()
                : "job " + source);
        Path repository = a.option("--repository").map(Path::of).orElse(base.resolve("var/models"));
        ModelRepositoryFolder.ModelWriter files;
        if (file) {
            try {
                ModelFiles.load(graph);
            } catch (ModelException e) {
                throw new CliException("deploy: " + e.getMessage(), CliException.FAILED);
            }
            files = (g, w) -> {
                Files.copy(graph, g);
                Files.copy(ModelFiles.weightsOf(graph), w);
            };
        } else {
            Map<String, ArtifactRef> artifacts = FetchCommand.completedArtifacts("deploy", source,
                    a.option("--bootstrap"), List.of(ModelArtifacts.MODEL, ModelArtifacts.WEIGHTS));
            files = (g, w) -> {
                ArtifactFiles.copy(artifacts.get(ModelArtifacts.MODEL), g, "the model of job " + source);
                ArtifactFiles.copy(artifacts.get(ModelArtifacts.WEIGHTS), w, "the weights of job " + source);
            };
        }
        try {
            ModelRepositoryFolder.Deployed written = ModelRepositoryFolder.writeNext(repository, name, deployment,
                    files);
            out.printf("deployed %s as %s version %s (%s)%s; served at /v2/models/%s once loaded (bin/penni models)%n",
                    source, name, written.version(), written.folder(), deployment.backend()
                            .map(b -> " on the " + b + " backend").orElse(""), name);
            return 0;
        } catch (IOException e) {
            throw new CliException("deploy: cannot write " + repository.resolve(name) + ": " + e.getMessage(),
                    CliException.FAILED);
        }
    }

    /** The deployment file's content: the source and whatever the options ask for. */
    private static ModelDeployment deployment(Arguments a, String source) {
        Optional<String> backend = a.option("--backend");
        backend.ifPresent(b -> {
            if (!ModelDeployment.BACKEND.matcher(b).matches()) {
                throw CliException.usage("deploy: '" + b + "' is not a backend name (cpu, onnxruntime, cuda, "
                        + "dense-reference)");
            }
        });
        Map<String, Long> limits = new LinkedHashMap<>();
        for (ModelDeployment.Limit limit : ModelDeployment.LIMITS) {
            a.option(limit.option()).ifPresent(v -> limits.put(limit.key(), whole(limit, v)));
        }
        return new ModelDeployment(backend, limits, Optional.of(source));
    }

    private static long whole(ModelDeployment.Limit limit, String value) {
        try {
            long v = Long.parseLong(value);
            if (v >= limit.min() && v <= limit.max()) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw CliException.usage("deploy: " + limit.option() + " must be a whole number from " + limit.min() + " to "
                + limit.max() + ", was '" + value + "'");
    }

    /** The model's name from its file: the file's name, or its folder's when the file is the usual model.json. */
    static String defaultName(Path graph) {
        String file = graph.getFileName().toString().replaceFirst("\\.json$", "");
        Path parent = graph.toAbsolutePath().normalize().getParent();
        return file.equals("model") && parent != null && parent.getFileName() != null
                ? parent.getFileName().toString() : file;
    }
}
