package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.cli.internal.RecipesCommand;

/** {@code penni recipes}: the shipped recipe files, read as the server reads them. */
class RecipesCommandTest {

    @TempDir
    Path dir;

    /** The repository root, whose runtime-config/recipes/ is what bin/penni's base folder holds. */
    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.isDirectory(here.resolve("runtime-config/recipes"))) {
            here = here.getParent();
        }
        return here;
    }

    private static String run(Path base, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, new RecipesCommand(base).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsTheShippedRecipesWithTheirKeySettings() {
        List<String> lines = run(repository()).lines().toList();
        assertTrue(lines.get(0).matches("RECIPE\\s+EPOCHS pre/re/fine\\s+LR\\s+L1\\s+d\\s+DISTILL\\s+PRUNING"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("fast@2\\s+5/6/9\\s+cosine\\s+0.001\\s+5\\s+a=0.5 T=2\\s+"
                + "layer-sparsity amount=0.965")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("paper@1\\s+100/100/30\\s+step\\s+1.0E-4\\s+5\\s+off\\s+"
                + "std-threshold s=1.0")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("demo@5: ")), "descriptions follow: " + lines);
    }

    @Test
    void aFileThatIsNotARecipeIsNamedWithTheReason() throws IOException {
        Path recipes = Files.createDirectories(dir.resolve("runtime-config/recipes"));
        Files.writeString(recipes.resolve("x.json"), "{\"name\": \"x\", \"version\": \"one\", \"request\": {}}");
        String out = run(dir);
        assertTrue(out.contains("left out: recipe file x.json: 'version' must be an integer >= 1"), out);
    }

    @Test
    void noFolderIsNoRecipes() {
        assertTrue(run(dir, "--dir", dir.resolve("none").toString()).startsWith("no recipes in "));
    }
}
