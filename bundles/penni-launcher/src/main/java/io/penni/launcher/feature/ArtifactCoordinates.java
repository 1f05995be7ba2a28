package io.penni.launcher.feature;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Maven coordinates as the OSGi Feature format writes them: {@code group:artifact[:type[:classifier]]:version}.
 *
 * @param groupId the group
 * @param artifactId the artifact
 * @param type the packaging type, {@code jar} when not given
 * @param classifier the classifier, empty when none
 * @param version the version
 */
public record ArtifactCoordinates(String groupId, String artifactId, String type, String classifier,
        String version) {

    /** Checks the fields. */
    public ArtifactCoordinates {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(artifactId, "artifactId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(classifier, "classifier");
        Objects.requireNonNull(version, "version");
    }

    /**
     * Parses {@code group:artifact[:type[:classifier]]:version}.
     *
     * @param id the coordinates
     * @return the parsed coordinates
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static ArtifactCoordinates parse(String id) {
        String[] parts = id.split(":", -1);
        for (String part : parts) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("'" + id + "' has an empty part; expected group:artifact[:type[:classifier]]:version");
            }
        }
        return switch (parts.length) {
            case 3 -> new ArtifactCoordinates(parts[0], parts[1], "jar", "", parts[2]);
            case 4 -> new ArtifactCoordinates(parts[0], parts[1], parts[2], "", parts[3]);
            case 5 -> new ArtifactCoordinates(parts[0], parts[1], parts[2], parts[3], parts[4]);
            default -> throw new IllegalArgumentException(
                    "'" + id + "' is not group:artifact[:type[:classifier]]:version");
        };
    }

    /** @return the file's path in a Maven repository layout, relative to the repository's root */
    public Path repositoryPath() {
        String file = artifactId + "-" + version + (classifier.isEmpty() ? "" : "-" + classifier) + "." + type;
        return Path.of(groupId.replace('.', '/'), artifactId, version, file);
    }

    @Override
    public String toString() {
        return groupId + ":" + artifactId + (type.equals("jar") && classifier.isEmpty() ? ""
                : ":" + type + (classifier.isEmpty() ? "" : ":" + classifier)) + ":" + version;
    }
}
