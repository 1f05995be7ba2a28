package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryFolderTest {

    @TempDir
    Path root;

    private ModelRepositoryFolder.Deployed write(String name, String source) throws IOException {
        return ModelRepositoryFolder.writeNext(root, name, new ModelDeployment(Optional.empty(), Map.of(), Optional.of(source)), (graph, weights) -> {
            Files.writeString(graph, "{}");
            Files.writeString(weights, "w");
        });
    }

    @Test
    void eachWriteIsTheNextVersionWholeWithItsDeploymentFile() throws IOException {
        assertEquals("1", write("m", "job a").version());
        assertEquals("2", write("m", "job b").version());
        try (Stream<Path> entries = Files.list(root.resolve("m"))) {
            assertEquals(List.of("1", "2"), entries.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging folder is left");
        }
        assertEquals(List.of("deployment.json", "model.json", "model.safetensors"),
                Stream.of(root.resolve("m/2").toFile().list()).sorted().toList());
        assertTrue(Files.readString(root.resolve("m/2/deployment.json")).contains("\"source\" : \"job b\""));
    }

    @Test
    void theVersionDeployedFromASourceIsFoundNewestFirst() throws IOException {
        write("m", "job a");
        write("m", "job b");
        write("m", "job a");
        assertEquals(Optional.of("3"), ModelRepositoryFolder.deployedFrom(root, "m", "job a")
                .map(ModelRepositoryFolder.Deployed::version));
        assertEquals(Optional.empty(), ModelRepositoryFolder.deployedFrom(root, "m", "job c"));
        assertEquals(Optional.empty(), ModelRepositoryFolder.deployedFrom(root, "other", "job a"));
    }

    @Test
    void aFailedWriteLeavesNothingAndABadNameIsRefused() {
        assertThrows(IOException.class, () -> ModelRepositoryFolder.writeNext(root, "m", ModelDeployment.NONE, (g, w) -> {
            throw new IOException("disk full");
        }));
        assertEquals(0, root.resolve("m").toFile().list().length);
        assertThrows(IllegalArgumentException.class, () -> write("../x", "job a"));
    }
}
