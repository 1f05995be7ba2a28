package io.penni.pipeline;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Budget recipes: named, versioned presets of request fields, one JSON file each in a folder (the server's
 * {@code runtime-config/recipes/}). A file is {@code {"name", "version", "description", "request": {...}}}, where
 * {@code request} is part of a request (any field but {@code model}, {@code dataset} and {@code jobId}). A request
 * naming a recipe gets the recipe's fields wherever it left them out: objects merge field by field, and every
 * field the request gives wins; a request naming another pruning strategy than the recipe's takes none of the
 * recipe's strategy parameters.
 */
public final class Recipes {

    /** No recipes at all. */
    public static final Recipes NONE = new Recipes(Map.of(), List.of());

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Fields a recipe may not set: they say which job this is, not how to run it. */
    private static final List<String> NOT_IN_RECIPES = List.of("jobId", "model", "dataset", "recipe");

    /**
     * One recipe.
     *
     * @param name its name, as requests spell it
     * @param version its version, from 1 (raise it whenever its settings change)
     * @param description what it is for
     * @param request the request fields it sets
     */
    public record Recipe(String name, int version, String description, JsonNode request) {
        /** @return the recipe's identity as reports write it */
        public io.penni.api.job.Recipe id() {
            return new io.penni.api.job.Recipe(name, version);
        }
    }

    private final Map<String, Recipe> byName;
    private final List<String> problems;

    private Recipes(Map<String, Recipe> byName, List<String> problems) {
        this.byName = Map.copyOf(byName);
        this.problems = List.copyOf(problems);
    }

    /**
     * Reads every {@code *.json} in a folder; a missing folder is no recipes. A file that is not a recipe is left
     * out and named in {@link #problems()}.
     *
     * @param folder the folder
     * @return the recipes
     */
    public static Recipes load(Path folder) {
        if (!Files.isDirectory(folder)) {
            return NONE;
        }
        Map<String, Recipe> recipes = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.json")) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                try {
                    Recipe recipe = read(JSON.readTree(file.toFile()), fileName);
                    if (!fileName.equals(recipe.name() + ".json")) {
                        problems.add("recipe file " + fileName + " names recipe '" + recipe.name()
                                + "'; the file must be called " + recipe.name() + ".json");
                    } else {
                        recipes.put(recipe.name(), recipe);
                    }
                } catch (IOException | IllegalArgumentException e) {
                    problems.add("recipe file " + fileName + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            problems.add("recipes folder " + folder + " cannot be read: " + e.getMessage());
        }
        return new Recipes(recipes, problems);
    }

    private static Recipe read(JsonNode node, String file) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        String name = node.path("name").asText("");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("'name' must be lowercase letters, digits and dashes, was '" + name
                    + "'");
        }
        if (!node.path("version").canConvertToInt() || node.path("version").asInt() < 1
                || !node.path("version").isIntegralNumber()) {
            throw new IllegalArgumentException("'version' must be an integer >= 1");
        }
        JsonNode request = node.path("request");
        if (!request.isObject()) {
            throw new IllegalArgumentException("'request' must be an object of request fields");
        }
        for (String field : NOT_IN_RECIPES) {
            if (request.has(field)) {
                throw new IllegalArgumentException("'request' may not set '" + field + "'");
            }
        }
        return new Recipe(name, node.get("version").asInt(), node.path("description").asText(""), request);
    }

    /** @return the recipes by name, in name order */
    public List<Recipe> list() {
        return List.copyOf(new TreeMap<>(byName).values());
    }

    /**
     * @param name a recipe's name
     * @return the recipe
     */
    public Optional<Recipe> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @return files that were left out, and why */
    public List<String> problems() {
        return problems;
    }

    /**
     * The request with the recipe's fields filled in where it has none: objects merge field by field, any other
     * value the request gives wins (arrays are values: a request's milestones replace the recipe's).
     *
     * @param recipe the recipe
     * @param request the request
     * @return a new tree; neither argument is changed
     */
    public static ObjectNode merge(Recipe recipe, ObjectNode request) {
        ObjectNode merged = recipe.request().deepCopy();
        // a recipe's strategy parameters are its strategy's: a request naming another strategy does not inherit
        // them (layer-sparsity's amount would be an unknown parameter of std-threshold)
        JsonNode asked = request.path("pruning").path("strategy");
        if (asked.isTextual() && merged.get("pruning") instanceof ObjectNode pruning
                && !asked.equals(pruning.get("strategy"))) {
            pruning.remove("parameters");
        }
        overlay(merged, request);
        return merged;
    }

    private static void overlay(ObjectNode base, JsonNode top) {
        for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode below = base.get(e.getKey());
            if (below != null && below.isObject() && e.getValue().isObject()) {
                overlay((ObjectNode) below, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}
