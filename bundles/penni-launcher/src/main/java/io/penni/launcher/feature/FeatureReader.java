package io.penni.launcher.feature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes OSGi Feature JSON files. {@code ${name}} placeholders in strings are replaced by the given
 * variables, so a feature can say {@code io.penni:penni-api:${project.version}}.
 */
public final class FeatureReader {

    /** The version of the feature format this reader understands. */
    public static final String FORMAT_VERSION = "1.0";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FeatureReader() {
    }

    /**
     * Reads a feature file.
     *
     * @param file the JSON file
     * @param variables values for {@code ${name}} placeholders
     * @return the feature
     * @throws FeatureException naming the file and what is wrong with it
     */
    public static Feature read(Path file, Map<String, String> variables) {
        JsonNode root;
        try {
            root = JSON.readTree(substitute(Files.readString(file), variables, file));
        } catch (JsonProcessingException e) {
            throw new FeatureException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FeatureException(file + ": cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new FeatureException(file + ": expected a JSON object");
        }
        String formatVersion = root.path("feature-resource-version").asText(FORMAT_VERSION);
        if (!formatVersion.equals(FORMAT_VERSION)) {
            throw new FeatureException(file + ": feature-resource-version " + formatVersion + " is not supported (only "
                    + FORMAT_VERSION + ")");
        }
        try {
            ArtifactCoordinates id = ArtifactCoordinates.parse(required(root, "id", file));
            List<FeatureBundle> bundles = new ArrayList<>();
            for (JsonNode bundle : root.path("bundles")) {
                JsonNode bundleId = bundle.isTextual() ? bundle : bundle.path("id");
                if (!bundleId.isTextual()) {
                    throw new FeatureException(file + ": every bundle needs an \"id\"");
                }
                int startOrder = bundle.path("start-order").asInt(FeatureBundle.DEFAULT_START_ORDER);
                bundles.add(new FeatureBundle(ArtifactCoordinates.parse(bundleId.asText()), startOrder));
            }
            Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> pids = root.path("configurations").fields();
            while (pids.hasNext()) {
                Map.Entry<String, JsonNode> pid = pids.next();
                @SuppressWarnings("unchecked")
                Map<String, Object> properties = JSON.convertValue(pid.getValue(), LinkedHashMap.class);
                configurations.put(pid.getKey(), properties);
            }
            return new Feature(id, root.path("name").asText(id.artifactId()), root.path("description").asText(""),
                    bundles, configurations);
        } catch (IllegalArgumentException e) {
            throw new FeatureException(file + ": " + e.getMessage());
        }
    }

    /**
     * Writes a feature with every placeholder resolved, as the distribution keeps it.
     *
     * @param file the source feature file
     * @param variables values for placeholders
     * @param target where to write the resolved copy
     * @throws IOException when it cannot be written
     */
    public static void writeResolved(Path file, Map<String, String> variables, Path target) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(substitute(Files.readString(file), variables, file));
        Files.createDirectories(target.getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(target.toFile(), root);
    }

    /**
     * Lists the feature files of a folder, by file name.
     *
     * @param folder the folder
     * @return the {@code *.json} files in it, sorted
     * @throws IOException when it cannot be listed
     */
    public static List<Path> list(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    private static String substitute(String text, Map<String, String> variables, Path file) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            if (value == null) {
                throw new FeatureException(file + ": no value for ${" + m.group(1) + "}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String required(JsonNode root, String field, Path file) {
        JsonNode node = root.path(field);
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new FeatureException(file + ": missing \"" + field + "\"");
        }
        return node.asText();
    }
}
