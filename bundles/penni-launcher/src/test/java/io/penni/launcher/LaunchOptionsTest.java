package io.penni.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    @Test
    void parsesFoldersAndRepeatedOptions() {
        LaunchOptions o = LaunchOptions.parse(List.of("server", "--base", "/b", "--dist", "/d", "--add-bundles", "/x",
                "--add-bundles", "/y.jar", "--set", "a=b=c"));
        assertEquals(Path.of("/b"), o.base());
        assertEquals(Path.of("/d"), o.dist());
        assertEquals(List.of(Path.of("/x"), Path.of("/y.jar")), o.addBundles());
        assertEquals(Map.of("a", "b=c"), o.overrides());
    }

    @Test
    void theDistributionDefaultsToTheBuildOutputUnderTheBase() {
        assertEquals(Path.of("/b/distribution/target/penni"),
                LaunchOptions.parse(List.of("server", "--base", "/b")).dist());
    }

    @Test
    void mistakesPrintUsage() {
        for (List<String> args : List.of(List.<String>of(), List.of("serve"), List.of("server", "--base"),
                List.of("server", "--what", "x"), List.of("server", "--set", "novalue"))) {
            LaunchException e = assertThrows(LaunchException.class, () -> LaunchOptions.parse(args));
            assertEquals(LaunchException.CONFIG, e.exitCode());
            assertTrue(e.getMessage().contains("usage") || e.getMessage().contains("name=value"), e.getMessage());
        }
    }
}
