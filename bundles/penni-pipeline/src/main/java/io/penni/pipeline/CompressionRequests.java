package io.penni.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.job.Augmentation;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.DatasetSpec;
import io.penni.api.job.Distillation;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.job.ModelSource;
import io.penni.api.job.PenniParameters;
import io.penni.api.job.PruningSpec;
import io.penni.api.job.Recipe;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Network;
import io.penni.datasets.DatasetLoader;
import io.penni.model.Architectures;
import io.penni.model.ModelException;
import io.penni.model.NetworkShapes;
import io.penni.onnx.StoredModels;
import io.penni.pipeline.internal.JsonSchema;

/**
 * Reads compression requests: JSON syntax, then the published schema ({@code request.schema.json}), then what
 * the schema cannot know (the architecture exists, the data set is there and readable, paths stay inside their
 * roots, the strategy and backends are installed), then the paper's defaults for every field left out.
 */
public final class CompressionRequests {

    /** Largest request accepted, in bytes. */
    public static final int MAX_BYTES = 64 * 1024;
    /** Where the schema is, as a class-path resource of this bundle. */
    public static final String SCHEMA_RESOURCE = "/io/penni/pipeline/request.schema.json";

    // one document only: trailing content (a second request, a stray brace) was once read past and accepted
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNode SCHEMA_TREE = schema();
    private static final JsonSchema SCHEMA = new JsonSchema(SCHEMA_TREE);
    /** What a job id may be: the schema's own rule, so it is stated once. */
    private static final java.util.regex.Pattern JOB_ID =
            java.util.regex.Pattern.compile(SCHEMA_TREE.at("/properties/jobId/pattern").asText());

    private CompressionRequests() {
    }

    /** @return the request schema */
    public static JsonNode schema() {
        try (InputStream in = CompressionRequests.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the request schema is missing from the bundle", e);
        }
    }

    /**
     * Where and why a JSON text does not parse, for a one-line message.
     *
     * @param e the parser's exception
     * @return {@code " at line L, column C: what"}, or {@code ": what"} when the parser knows no location
     */
    public static String syntaxError(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return where + ": " + e.getOriginalMessage();
    }

    /**
     * Asks the strategy an accepted request names to check the request's parameters, as every intake does before
     * any work starts (the server's, {@code compress --local}'s): its problem rejects the request under the pointer
     * {@code /pruning/parameters}.
     *
     * @param outcome a parsed request
     * @param check the named strategy's check of parameters ({@code PruningStrategy#checkParameters}); empty when
     *        there is nothing to say, or no such strategy is registered
     * @return the outcome unchanged, or the rejection
     */
    public static RequestOutcome withStrategyParameters(RequestOutcome outcome,
            BiFunction<String, Map<String, String>, Optional<String>> check) {
        if (!(outcome instanceof RequestOutcome.Accepted accepted)) {
            return outcome;
        }
        CompressionRequest request = accepted.request();
        return request.pruning().strategy().flatMap(name -> check.apply(name, request.pruning().parameters()))
                .<RequestOutcome>map(p -> new RequestOutcome.Rejected(request.jobId(),
                        List.of("/pruning/parameters: " + p)))
                .orElse(outcome);
    }

    /**
     * Validates a request and fills in defaults.
     *
     * @param bytes the request as published
     * @param key the Kafka record key, if any (the job id when the request names none)
     * @param environment what the request is checked against
     * @return the request, or every reason it is unusable
     */
    public static RequestOutcome parse(byte[] bytes, Optional<String> key, RequestEnvironment environment) {
        String fallbackId = key.filter(k -> !k.isBlank()).orElseGet(() -> UUID.randomUUID().toString());
        if (bytes.length > MAX_BYTES) {
            return new RequestOutcome.Rejected(fallbackId,
                    List.of("the request has " + bytes.length + " bytes; at most " + MAX_BYTES + " are accepted"));
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            return new RequestOutcome.Rejected(fallbackId, List.of("not valid JSON" + syntaxError(e)));
        } catch (IOException e) {
            return new RequestOutcome.Rejected(fallbackId, List.of("not readable: " + e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return new RequestOutcome.Rejected(fallbackId, List.of("the request is empty"));
        }
        String jobId = root.path("jobId").isTextual() ? root.get("jobId").asText() : fallbackId;
        List<String> problems = new ArrayList<>();
        JsonNode asked = root;
        Optional<Recipes.Recipe> recipe = Optional.empty();
        if (root.isObject() && root.path("recipe").isTextual()) {
            RecipeChoice choice = recipe(root.get("recipe").asText(), environment.recipes());
            if (choice.problem().isPresent()) {
                return new RequestOutcome.Rejected(jobId, List.of(choice.problem().get()));
            }
            recipe = choice.recipe();
            com.fasterxml.jackson.databind.node.ObjectNode merged = Recipes.merge(recipe.get(),
                    (com.fasterxml.jackson.databind.node.ObjectNode) root);
            merged.put("recipe", recipe.get().id().toString());
            root = merged;
        }
        String from = recipe.map(r -> " (set by recipe " + r.id() + ")").orElse("");
        for (JsonSchema.Violation v : SCHEMA.validate(root)) {
            // a value the request did not give came from the recipe: say so, or the user looks for it in vain
            boolean fromRecipe = !from.isEmpty() && !v.path().isEmpty() && asked.at(v.path()).isMissingNode();
            problems.add(v + (fromRecipe ? from : ""));
        }
        if (problems.isEmpty() && root.get("model").has("format") && root.get("model").has("architecture")) {
            problems.add("/model/format: is the format of a model file (path); a built-in architecture has none");
        }
        if (!problems.isEmpty()) {
            return new RequestOutcome.Rejected(jobId, problems);
        }
        CompressionRequest request = withDefaults(root, jobId);
        problems.addAll(check(request, environment));
        return problems.isEmpty() ? new RequestOutcome.Accepted(request, root)
                : new RequestOutcome.Rejected(jobId, problems);
    }

    /** The recipe a request names ({@code name} or {@code name@version}), or why there is none. */
    private record RecipeChoice(Optional<Recipes.Recipe> recipe, Optional<String> problem) {
    }

    private static RecipeChoice recipe(String named, Recipes recipes) {
        int at = named.indexOf('@');
        String name = at < 0 ? named : named.substring(0, at);
        Optional<Recipes.Recipe> recipe = recipes.find(name);
        if (recipe.isEmpty()) {
            List<String> names = recipes.list().stream().map(r -> r.id().toString()).toList();
            return new RecipeChoice(Optional.empty(), Optional.of("/recipe: unknown recipe '" + name + "'; available: "
                    + (names.isEmpty() ? "none" : names)));
        }
        if (at >= 0 && !named.substring(at + 1).equals(String.valueOf(recipe.get().version()))) {
            return new RecipeChoice(Optional.empty(), Optional.of("/recipe: '" + named + "' asks for version "
                    + named.substring(at + 1) + " of recipe '" + name + "'; this server has version "
                    + recipe.get().version()));
        }
        return new RecipeChoice(recipe, Optional.empty());
    }

    /**
     * @param id a would-be job id
     * @return whether the request schema allows it as a job id
     */
    public static boolean isJobId(String id) {
        return id != null && JOB_ID.matcher(id).find();
    }

    /**
     * Reads a request that was accepted before (a stage reading the job it was handed): schema and defaults, no
     * environment checks.
     *
     * @param root the request JSON
     * @param jobId the job's id
     * @return the request
     * @throws IllegalArgumentException when it does not satisfy the schema
     */
    public static CompressionRequest read(JsonNode root, String jobId) {
        List<JsonSchema.Violation> violations = SCHEMA.validate(root);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("the job's request no longer satisfies the schema: " + violations);
        }
        return withDefaults(root, jobId);
    }

    /**
     * @param bytes request JSON
     * @return its tree, for carrying between stages
     * @throws IOException when it is not JSON
     */
    public static JsonNode tree(byte[] bytes) throws IOException {
        return JSON.readTree(bytes);
    }

    private static List<String> check(CompressionRequest request, RequestEnvironment environment) {
        List<String> problems = new ArrayList<>();
        if (request.model() instanceof ModelSource.BuiltIn builtIn
                && !environment.architectures().contains(builtIn.architecture())) {
            problems.add("/model/architecture: unknown architecture '" + builtIn.architecture() + "'; known: "
                    + new TreeSet<>(environment.architectures()));
        }
        if (request.model() instanceof ModelSource.Stored stored) {
            problems.addAll(checkModelPath(stored.path(), environment.modelRoot()));
        }
        if (problems.isEmpty()) {
            problems.addAll(checkAgainstNetwork(request, environment));
        }
        DatasetLoader.check(request.dataset(), environment.dataRoot()).ifPresent(p -> problems.add("/dataset: " + p));
        request.pruning().strategy().filter(s -> !environment.strategies().contains(s)).ifPresent(s -> problems.add(
                "/pruning/strategy: unknown strategy '" + s + "'; available: " + new TreeSet<>(environment.strategies())));
        int gradual = request.pruning().gradualEpochs();
        int finetune = request.penni().finetune().epochs();
        if (gradual > 0 && gradual >= finetune) {
            problems.add("/pruning/gradualEpochs: " + gradual + " is not fewer than the fine-tuning's " + finetune
                    + " epochs; the masks must be reached before its last epoch, which trains with every pruned "
                    + "value held at zero");
        }
        for (String backend : request.evaluation().backends()) {
            if (!environment.backends().contains(backend)) {
                problems.add("/evaluation/backends: unknown backend '" + backend + "'; available: "
                        + new TreeSet<>(environment.backends()));
            }
        }
        return problems;
    }

    /**
     * What needs the model's graph (never a JSON model's weights; an ONNX file holds both and is imported whole,
     * so one that cannot be imported is refused now with the importer's message): the number of bases against the
     * layers' kernels, admission — a job over this server's memory or time budget is refused now, with the
     * estimate and the cap — and whether an ONNX model takes the data set's images.
     */
    private static List<String> checkAgainstNetwork(CompressionRequest request, RequestEnvironment environment) {
        Network network;
        if (request.model() instanceof ModelSource.Stored stored) {
            Path file = environment.modelRoot().toAbsolutePath().normalize().resolve(stored.path()).normalize();
            try {
                network = StoredModels.network(file, stored.format());
            } catch (ModelException e) {
                // the message names the file by the request's own path, not by where the model root lies
                return List.of("/model/path: " + e.getMessage().replace(file.toString(), stored.path()));
            }
        } else if (request.model() instanceof ModelSource.BuiltIn builtIn
                && Architectures.names().contains(builtIn.architecture())) {
            network = Architectures.network(builtIn.architecture());
        } else {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        int largestKernel = network.layers().stream().filter(Layer.Conv2d.class::isInstance).map(Layer.Conv2d.class::cast)
                .mapToInt(Layer.Conv2d::kernel).filter(k -> k > 1).max().orElse(0);
        int bases = request.penni().bases();
        if (largestKernel > 0 && bases > largestKernel * largestKernel) {
            problems.add("/penni/bases: " + bases + " is more than the largest kernel of this model has values ("
                    + largestKernel + "x" + largestKernel + " = " + largestKernel * largestKernel + "); a layer gets "
                    + "at most k*k bases, where it is already exact");
        }
        CostEstimate.of(request, network).over(environment.admission()).forEach(p -> problems.add("/: " + p));
        if (request.model() instanceof ModelSource.Stored stored && stored.format() == ModelSource.Format.ONNX) {
            DatasetLoader.imageShape(request.dataset(), environment.dataRoot())
                    .flatMap(images -> imageMismatch(stored.path(), NetworkShapes.input(network), images))
                    .ifPresent(problems::add);
        }
        return problems;
    }

    /** A stored model's input against the data set's images, with the setting that may reconcile them. */
    private static Optional<String> imageMismatch(String path, ActivationShape input, int[] images) {
        boolean channelsFit = images[0] == 0 || images[0] == input.channels();
        if (channelsFit && images[1] == input.height() && images[2] == input.width()) {
            return Optional.empty();
        }
        String given = (images[0] == 0 ? "" : images[0] + "x") + images[1] + "x" + images[2];
        return Optional.of("/model/path: the model '" + path + "' takes images " + input + " but the data set"
                + " gives " + given + (channelsFit ? "" : " (channels differ: export the model for "
                        + (images[0] == 1 ? "grey" : images[0] + "-channel") + " images)")
                + "; export the model for the data set's image size, or, for an image-folder data set, set"
                + " dataset.imageSize to " + (input.height() == input.width() ? input.height()
                        : input.height() + " (the model's height; its images are not square)")
                + " to scale the images to the model's size");
    }

    private static List<String> checkModelPath(String path, Path modelRoot) {
        Path root = modelRoot.toAbsolutePath().normalize();
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root)) {
            return List.of("/model/path: '" + path + "' is outside the model root");
        }
        try {
            if (Files.exists(file) && !file.toRealPath().startsWith(root.toRealPath())) {
                return List.of("/model/path: '" + path + "' leads outside the model root");
            }
        } catch (IOException e) {
            return List.of("/model/path: '" + path + "' cannot be resolved: " + e.getMessage());
        }
        if (!Files.isRegularFile(file)) {
            return List.of("/model/path: no model file '" + path + "' under the model root");
        }
        return List.of();
    }

    /** The request with every default in place (the paper's settings). */
    private static CompressionRequest withDefaults(JsonNode root, String jobId) {
        long seed = root.path("seed").asLong(42);
        JsonNode model = root.get("model");
        ModelSource source = model.has("architecture")
                ? new ModelSource.BuiltIn(model.get("architecture").asText(), model.path("seed").asLong(seed))
                : new ModelSource.Stored(model.get("path").asText(), model.has("format")
                        ? ModelSource.Format.valueOf(model.get("format").asText().toUpperCase(Locale.ROOT))
                        : ModelSource.Format.of(model.get("path").asText()));

        JsonNode d = root.get("dataset");
        String format = d.get("format").asText();
        boolean mnistLike = format.equals("fashion-mnist") || format.equals("mnist");
        JsonNode a = d.path("augmentation");
        Augmentation augmentation = new Augmentation(a.path("cropPadding").asInt(mnistLike ? 0 : 4),
                a.path("horizontalFlip").asBoolean(!mnistLike));
        DatasetSpec dataset = new DatasetSpec(format, d.get("path").asText(), augmentation, d.path("trainLimit").asInt(0),
                d.path("testLimit").asInt(0), d.path("imageSize").asInt(0));

        JsonNode p = root.path("penni");
        JsonNode kd = p.path("distillation");
        Distillation distillation = new Distillation(kd.path("enabled").asBoolean(false),
                kd.path("alpha").asDouble(Distillation.OFF.alpha()),
                kd.path("temperature").asDouble(Distillation.OFF.temperature()));
        PenniParameters penni = new PenniParameters(p.path("bases").asInt(5), p.path("l1").asDouble(1e-4),
                p.path("switchEvery").asInt(5), schedule(p.path("retrain"), 100), schedule(p.path("finetune"), 30),
                distillation);

        JsonNode pr = root.path("pruning");
        Map<String, String> parameters = new LinkedHashMap<>();
        pr.path("parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        PruningSpec pruning = new PruningSpec(Optional.ofNullable(pr.path("strategy").textValue()), parameters,
                pr.path("linear").asBoolean(false), pr.path("gradualEpochs").asInt(0));

        JsonNode e = root.path("evaluation");
        List<String> backends = new ArrayList<>();
        e.path("backends").forEach(b -> backends.add(b.asText()));
        List<Integer> batches = new ArrayList<>();
        e.path("batchSizes").forEach(b -> batches.add(b.asInt()));
        EvaluationSpec evaluation = new EvaluationSpec(backends.isEmpty() ? List.of("cpu") : backends,
                batches.isEmpty() ? List.of(1, 32, 128) : batches, e.path("warmupRuns").asInt(10),
                e.path("timedRuns").asInt(50));

        Optional<Recipe> recipe = Optional.ofNullable(root.path("recipe").textValue()).filter(r -> r.contains("@"))
                .map(r -> new Recipe(r.substring(0, r.indexOf('@')), Integer.parseInt(r.substring(r.indexOf('@') + 1))));
        return new CompressionRequest(jobId, source, dataset, schedule(root.path("pretrain"), 100), penni, pruning,
                evaluation, seed, recipe);
    }

    private static TrainingSchedule schedule(JsonNode s, int epochs) {
        TrainingSchedule paper = TrainingSchedule.paper(s.path("epochs").asInt(epochs));
        List<Double> milestones = new ArrayList<>();
        s.path("milestones").forEach(m -> milestones.add(m.asDouble()));
        return new TrainingSchedule(paper.epochs(), s.path("learningRate").asDouble(paper.learningRate()),
                s.has("milestones") ? milestones : paper.milestones(), s.path("gamma").asDouble(paper.gamma()),
                s.path("batchSize").asInt(paper.batchSize()), s.path("momentum").asDouble(paper.momentum()),
                s.path("nesterov").asBoolean(paper.nesterov()), s.path("weightDecay").asDouble(paper.weightDecay()),
                s.path("learningRateSchedule").asText("step").equals("cosine") ? TrainingSchedule.RateShape.COSINE
                        : TrainingSchedule.RateShape.STEP);
    }
}
