package io.penni.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The serving model repository's layout, for those who write into it ({@code bin/penni deploy}, a job whose request
 * asks to be deployed): {@code ROOT/NAME/VERSION/} with {@value #GRAPH}, {@value #WEIGHTS} and {@value #DEPLOYMENT},
 * VERSION a positive integer. A new version is written into a hidden folder and renamed, so it appears whole.
 */
public final class ModelRepositoryFolder {

    /** A version's graph file. */
    public static final String GRAPH = "model.json";
    /** A version's weights file. */
    public static final String WEIGHTS = "model.safetensors";
    /** A version's deployment settings: backend, batching, where it came from. */
    public static final String DEPLOYMENT = "deployment.json";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes a version's model files into its (staging) folder. */
    @FunctionalInterface
    public interface ModelWriter {
        /**
         * @param graph where the graph file goes
         * @param weights where the weights file goes
         * @throws IOException when they cannot be written
         */
        void write(Path graph, Path weights) throws IOException;
    }

    /**
     * A version written, or found already there.
     *
     * @param name the model's name
     * @param version its version
     * @param folder its folder
     * @param existed whether it was there before (the same source deployed again)
     */
    public record Deployed(String name, String version, Path folder, boolean existed) {
    }

    private ModelRepositoryFolder() {
    }

    /**
     * @param name a proposed model name
     * @return whether it can name a model (a folder name of letters, digits, '_', '.', '-')
     */
    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * Writes the next version of a model.
     *
     * @param root the repository folder
     * @param name the model's name ({@link #validName})
     * @param deployment the deployment file's content; its {@code source} says where the model came from
     * @param files writes the model's files
     * @return the version written
     * @throws IOException when the repository cannot be written
     */
    public static Deployed writeNext(Path root, String name, ModelDeployment deployment, ModelWriter files)
            throws IOException {
        if (!validName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a model name: letters, digits, '_', '.', '-', "
                    + "starting with a letter or digit");
        }
        Path folder = root.resolve(name);
        String version = String.valueOf(latestVersion(folder) + 1);
        Path staging = folder.resolve(".deploy-" + version + "-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try {
            Files.createDirectories(staging);
            files.write(staging.resolve(GRAPH), staging.resolve(WEIGHTS));
            Files.write(staging.resolve(DEPLOYMENT), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(deployment.toMap()));
            Path target = folder.resolve(version);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return new Deployed(name, version, target, false);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * The newest version of a model deployed from a source, if one is.
     *
     * @param root the repository folder
     * @param name the model's name
     * @param source the {@code source} its deployment file says
     * @return that version
     */
    public static Optional<Deployed> deployedFrom(Path root, String name, String source) {
        Path folder = root.resolve(name);
        if (!validName(name) || !Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> VERSION.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong((Path p) -> Long.parseLong(p.getFileName().toString())).reversed())
                    .filter(p -> source.equals(source(p))).findFirst()
                    .map(p -> new Deployed(name, p.getFileName().toString(), p, true));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param folder a model's folder
     * @return its highest version, 0 when none
     * @throws IOException when it cannot be read
     */
    public static long latestVersion(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString()).filter(v -> VERSION.matcher(v).matches())
                    .mapToLong(Long::parseLong).max().orElse(0);
        }
    }

    private static String source(Path version) {
        try {
            JsonNode node = JSON.readTree(version.resolve(DEPLOYMENT).toFile());
            return node == null ? null : node.path("source").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteTree(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover hidden folder is ignored by the repository
        }
    }
}
