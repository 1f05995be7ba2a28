package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.CompressionRequest;
import io.penni.api.job.Distillation;
import io.penni.api.job.Recipe;
import io.penni.api.job.TrainingSchedule;

/** Requests naming recipes, asking for distillation, a cosine schedule or FC pruning: read, defaulted, refused. */
class RecipesAndDistillationRequestsTest {

    private static final String HEAD = """
            "model": {"architecture": "vgg-small"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"}""";

    @TempDir
    Path folder;

    private RequestEnvironment environment(Path recipes) {
        // the strategies every container with the compression features has
        return new RequestEnvironment(Path.of("/usr/share/datasets"), folder, Set.of("vgg-small"),
                Set.of("std-threshold", "global-magnitude", "layer-sparsity", "protect-critical"), Set.of("cpu"),
                AdmissionBudget.UNLIMITED).withRecipes(recipes);
    }

    /** The repository's own recipes, as the server reads them. */
    private static Path shipped() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.isDirectory(here.resolve("runtime-config/recipes"))) {
            here = here.getParent();
        }
        return here.resolve("runtime-config/recipes");
    }

    private RequestOutcome parse(String body, Path recipes) {
        return CompressionRequests.parse(("{" + HEAD + body + "}").getBytes(StandardCharsets.UTF_8),
                Optional.of("job-1"), environment(recipes));
    }

    private List<String> rejected(String body, Path recipes) {
        return assertInstanceOf(RequestOutcome.Rejected.class, parse(body, recipes)).reasons();
    }

    @Test
    void aRequestWithoutTheNewFieldsIsReadAsBefore() {
        CompressionRequest r = assertInstanceOf(RequestOutcome.Accepted.class, parse("", shipped())).request();
        assertEquals(Distillation.OFF, r.penni().distillation());
        assertEquals(TrainingSchedule.RateShape.STEP, r.penni().retrain().rateShape());
        assertFalse(r.pruning().linear());
        assertEquals(Optional.empty(), r.recipe());
    }

    @Test
    void distillationCosineAndFcPruningAreRead() {
        CompressionRequest r = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                , "penni": {"distillation": {"enabled": true, "alpha": 0.3, "temperature": 2},
                            "finetune": {"learningRateSchedule": "cosine"}},
                  "pruning": {"linear": true}""", shipped())).request();
        assertEquals(new Distillation(true, 0.3, 2), r.penni().distillation());
        assertEquals(TrainingSchedule.RateShape.COSINE, r.penni().finetune().rateShape());
        assertEquals(TrainingSchedule.RateShape.STEP, r.penni().retrain().rateShape());
        assertTrue(r.pruning().linear());
    }

    @Test
    void gradualPruningIsReadAndMustEndBeforeTheLastFineTuningEpoch() {
        assertEquals(0, assertInstanceOf(RequestOutcome.Accepted.class, parse("", shipped())).request().pruning()
                .gradualEpochs(), "at once unless asked");
        CompressionRequest r = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                , "penni": {"finetune": {"epochs": 4}}, "pruning": {"gradualEpochs": 3}""", shipped())).request();
        assertEquals(3, r.pruning().gradualEpochs());

        List<String> reasons = rejected("""
                , "penni": {"finetune": {"epochs": 4}}, "pruning": {"gradualEpochs": 4}""", shipped());
        assertEquals(List.of("/pruning/gradualEpochs: 4 is not fewer than the fine-tuning's 4 epochs; the masks must "
                + "be reached before its last epoch, which trains with every pruned value held at zero"), reasons);
        assertTrue(rejected(", \"pruning\": {\"gradualEpochs\": -1}", shipped()).get(0)
                .startsWith("/pruning/gradualEpochs:"));
        // a recipe's fine-tuning counts: fast's 9 epochs leave room for 8
        assertEquals(8, assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                , "recipe": "fast", "pruning": {"gradualEpochs": 8}""", shipped())).request().pruning().gradualEpochs());
    }

    @Test
    void outOfRangeDistillationSettingsAreRefusedWithTheirPointers() {
        List<String> reasons = rejected("""
                , "penni": {"distillation": {"alpha": 1.5, "temperature": 0, "on": true}},
                  "pretrain": {"learningRateSchedule": "linear"}""", shipped());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("/penni/distillation/alpha:")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("/penni/distillation/temperature:")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("/penni/distillation: unknown field 'on'")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("/pretrain/learningRateSchedule:")), reasons.toString());
    }

    @Test
    void aRecipeFillsWhatTheRequestLeavesOutAndTheRequestWins() {
        RequestOutcome.Accepted accepted = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                , "recipe": "fast", "penni": {"l1": 5e-4, "finetune": {"epochs": 2}}""", shipped()));
        CompressionRequest r = accepted.request();
        assertEquals(Optional.of(new Recipe("fast", 2)), r.recipe());
        assertEquals(5e-4, r.penni().l1(), "the request's own value wins");
        assertEquals(2, r.penni().finetune().epochs(), "the request's own value wins inside a merged object");
        assertEquals(TrainingSchedule.RateShape.COSINE, r.penni().finetune().rateShape(), "the recipe fills the rest");
        assertEquals(6, r.penni().retrain().epochs());
        assertTrue(r.penni().distillation().enabled());
        assertEquals(Optional.of("layer-sparsity"), r.pruning().strategy());
        // what the stages read: the merged request, the recipe pinned to its version
        assertEquals("fast@2", accepted.document().get("recipe").asText());
        assertEquals(r, CompressionRequests.read(accepted.document(), "job-1"));
    }

    @Test
    void aRequestNamingAnotherStrategyTakesNoneOfTheRecipesStrategyParameters() {
        // fast names layer-sparsity with amount 0.965: std-threshold takes only s
        CompressionRequest other = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                , "recipe": "fast", "pruning": {"strategy": "std-threshold", "parameters": {"s": 1.0}}""",
                shipped())).request();
        assertEquals(Optional.of("std-threshold"), other.pruning().strategy());
        assertEquals(Map.of("s", "1.0"), other.pruning().parameters());
        CompressionRequest same = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                , "recipe": "fast", "pruning": {"strategy": "layer-sparsity", "parameters": {"maps": 0.5}}""",
                shipped())).request();
        assertEquals(Map.of("amount", "0.965", "maps", "0.5"), same.pruning().parameters(),
                "the recipe's strategy: its parameters merge with the request's");
    }

    @Test
    void everyShippedRecipeIsAValidRequest() {
        Recipes recipes = Recipes.load(shipped());
        assertEquals(List.of(), recipes.problems());
        assertTrue(recipes.list().size() >= 3, recipes.list().toString());
        for (Recipes.Recipe recipe : recipes.list()) {
            RequestOutcome outcome = parse(", \"recipe\": \"" + recipe.name() + "\"", shipped());
            assertInstanceOf(RequestOutcome.Accepted.class, outcome, recipe.name() + ": " + outcome);
        }
        CompressionRequest paper = assertInstanceOf(RequestOutcome.Accepted.class,
                parse(", \"recipe\": \"paper\"", shipped())).request();
        CompressionRequest none = assertInstanceOf(RequestOutcome.Accepted.class, parse("", shipped())).request();
        assertEquals(none.penni(), paper.penni(), "the paper recipe is the paper's defaults");
        assertEquals(none.pretrain(), paper.pretrain());
    }

    @Test
    void anUnknownRecipeOrVersionIsRefusedNamingWhatThereIs() {
        List<String> unknown = rejected(", \"recipe\": \"fastest\"", shipped());
        assertEquals(1, unknown.size());
        assertTrue(unknown.get(0).startsWith("/recipe: unknown recipe 'fastest'; available: ["), unknown.toString());
        assertTrue(unknown.get(0).contains("fast@2"), unknown.toString());
        List<String> version = rejected(", \"recipe\": \"fast@7\"", shipped());
        assertTrue(version.get(0).contains("this server has version 2"), version.toString());
        assertTrue(rejected(", \"recipe\": \"Fast!\"", shipped()).get(0).startsWith("/recipe:"));
    }

    @Test
    void aRecipeThatSetsAnOutOfRangeFieldIsRefusedNamingTheRecipe() throws IOException {
        Path recipes = Files.createDirectories(folder.resolve("recipes"));
        Files.writeString(recipes.resolve("hot.json"), """
                {"name": "hot", "version": 3, "description": "too hot",
                 "request": {"penni": {"distillation": {"enabled": true, "temperature": 500}, "l1": 0.1}}}""");
        List<String> reasons = rejected(", \"recipe\": \"hot\", \"penni\": {\"l1\": 20}", recipes);
        assertTrue(reasons.contains("/penni/distillation/temperature: must be at most 100, is 500 (set by recipe hot@3)")
                || reasons.stream().anyMatch(r -> r.startsWith("/penni/distillation/temperature:")
                        && r.endsWith("(set by recipe hot@3)")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("/penni/l1:") && !r.contains("recipe")),
                "the request's own value is not blamed on the recipe: " + reasons);
    }

    @Test
    void recipeFilesThatAreNotRecipesAreLeftOutWithTheReason() throws IOException {
        Path recipes = Files.createDirectories(folder.resolve("bad"));
        Files.writeString(recipes.resolve("a.json"), "{\"name\": \"b\", \"version\": 1, \"request\": {}}");
        Files.writeString(recipes.resolve("c.json"), "{\"name\": \"c\", \"version\": 0, \"request\": {}}");
        Files.writeString(recipes.resolve("d.json"),
                "{\"name\": \"d\", \"version\": 1, \"request\": {\"model\": {\"architecture\": \"x\"}}}");
        Recipes loaded = Recipes.load(recipes);
        assertEquals(List.of(), loaded.list());
        assertEquals(3, loaded.problems().size(), loaded.problems().toString());
        assertTrue(loaded.problems().stream().anyMatch(p -> p.contains("may not set 'model'")), loaded.problems().toString());
    }

    @Test
    void everyFieldExampleStatesTheDefaultsOfTheNewFieldsToo() throws IOException {
        byte[] example = Files.readAllBytes(shipped().getParent().getParent().resolve("examples/every-field.json"));
        CompressionRequest every = assertInstanceOf(RequestOutcome.Accepted.class, CompressionRequests.parse(example,
                Optional.empty(), environment(shipped()))).request();
        CompressionRequest minimal = assertInstanceOf(RequestOutcome.Accepted.class, parse("", shipped())).request();
        assertEquals(minimal.penni(), every.penni());
        assertEquals(minimal.pretrain(), every.pretrain());
        assertEquals(minimal.pruning().linear(), every.pruning().linear());
        assertEquals(minimal.pruning().gradualEpochs(), every.pruning().gradualEpochs());
    }

    /** {@code bin/penni demo} submits examples/fashion-demo.json after copying examples/models/ into the model root. */
    @Test
    void theDemosRequestIsAcceptedWithTheShippedModelAndRecipe() throws IOException {
        Path repository = shipped().getParent().getParent();
        RequestOutcome outcome = CompressionRequests.parse(Files.readAllBytes(repository.resolve(
                "examples/fashion-demo.json")), Optional.of("demo-1"), new RequestEnvironment(
                        Path.of("/usr/share/datasets"), repository.resolve("examples/models"), Set.of("vgg-small"),
                        Set.of("std-threshold", "global-magnitude"), Set.of("cpu"), AdmissionBudget.UNLIMITED)
                        .withRecipes(shipped()));
        CompressionRequest r = assertInstanceOf(RequestOutcome.Accepted.class, outcome, outcome.toString()).request();
        assertEquals(new io.penni.api.job.ModelSource.Stored("vgg-small-fashion.json"), r.model());
        assertEquals(Optional.of("demo"), r.recipe().map(Recipe::name));
        // demo@5: no distillation (it doubled the training stages' time and measured no better), 4 + 6 epochs
        assertEquals(5, r.recipe().orElseThrow().version());
        assertFalse(r.penni().distillation().enabled(), "the demo trains without a teacher");
        assertEquals(4, r.penni().retrain().epochs());
        assertEquals(6, r.penni().finetune().epochs());
        assertEquals(0, r.dataset().testLimit(), "the demo scores the full test split");
    }
}
