package io.penni.launcher.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsBundlesStartOrdersAndConfigurationsWithPlaceholdersResolved() throws IOException {
        Path file = write("a.json", """
                { "feature-resource-version": "1.0",
                  "id": "io.penni:penni-x:osgifeature:${project.version}",
                  "name": "x", "description": "d",
                  "bundles": [ { "id": "io.penni:penni-api:${project.version}", "start-order": 3 },
                               { "id": "org.example:thing:jar:linux:2.0" } ],
                  "configurations": { "penni.metrics": { "common.tags": "a=b", "n": 3 } } }
                """);
        Feature feature = FeatureReader.read(file, Map.of("project.version", "1.2.3"));
        assertEquals("1.2.3", feature.id().version());
        assertEquals(List.of(new FeatureBundle(ArtifactCoordinates.parse("io.penni:penni-api:1.2.3"), 3),
                new FeatureBundle(new ArtifactCoordinates("org.example", "thing", "jar", "linux", "2.0"),
                        FeatureBundle.DEFAULT_START_ORDER)), feature.bundles());
        assertEquals(Map.of("common.tags", "a=b", "n", 3), feature.configurations().get("penni.metrics"));
    }

    @Test
    void anUnknownPlaceholderIsAnErrorNamingTheFile() throws IOException {
        Path file = write("b.json", "{\"id\": \"g:a:${nope}\"}");
        FeatureException e = assertThrows(FeatureException.class, () -> FeatureReader.read(file, Map.of()));
        assertTrue(e.getMessage().contains("b.json") && e.getMessage().contains("${nope}"), e.getMessage());
    }

    @Test
    void malformedJsonMissingIdBadCoordinatesAndOtherFormatVersionsAreRefused() throws IOException {
        assertRefused(write("c.json", "{ not json"), "not valid JSON");
        assertRefused(write("d.json", "{\"bundles\": []}"), "missing \"id\"");
        assertRefused(write("e.json", "{\"id\": \"g:a:f:v\", \"bundles\": [ {\"id\": \"only-two:parts\"} ]}"),
                "is not group:artifact");
        assertRefused(write("f.json", "{\"feature-resource-version\": \"2.0\", \"id\": \"g:a:v\"}"), "not supported");
        assertRefused(write("g.json", "{\"id\": \"g:a:v\", \"bundles\": [ {\"id\": \"g:b:1\", \"start-order\": 0} ]}"),
                "start-order");
    }

    @Test
    void coordinatesMapToTheMavenRepositoryLayout() {
        assertEquals(Path.of("org/apache/felix/org.apache.felix.scr/2.2.14/org.apache.felix.scr-2.2.14.jar"),
                ArtifactCoordinates.parse("org.apache.felix:org.apache.felix.scr:2.2.14").repositoryPath());
        assertEquals(Path.of("org/nd4j/nd4j-native/1.0/nd4j-native-1.0-linux-x86_64.jar"),
                ArtifactCoordinates.parse("org.nd4j:nd4j-native:jar:linux-x86_64:1.0").repositoryPath());
    }

    @Test
    void theShippedFeaturesAreReadable() throws IOException {
        Path features = Path.of(System.getProperty("user.dir")).resolve("../../features").normalize();
        List<Path> files = FeatureReader.list(features);
        assertTrue(files.size() >= 5, "features found: " + files);
        for (Path file : files) {
            Feature feature = FeatureReader.read(file, Map.of("project.version", "0"));
            assertTrue(!feature.bundles().isEmpty(), file + " has no bundles");
        }
    }

    private void assertRefused(Path file, String fragment) {
        FeatureException e = assertThrows(FeatureException.class, () -> FeatureReader.read(file, Map.of()));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(fragment),
                "message '" + e.getMessage() + "' should name the file and say " + fragment);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
