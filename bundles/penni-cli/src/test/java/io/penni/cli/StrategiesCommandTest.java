package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.cli.internal.CliException;
import io.penni.cli.internal.StrategiesCommand;

class StrategiesCommandTest {

    private static final String LISTING = """
            {"default": "std-threshold", "strategies": [
              {"name": "layer-sparsity", "description": "d", "bundle": "io.penni.strategy-layer",
               "version": "0.1.0", "ranking": 5, "serviceId": 40,
               "parameters": {"amount": "0.5", "layer.conv1": "0.1"}},
              {"name": "std-threshold", "description": "d", "bundle": "io.penni.strategy-std", "version": "0.1.0",
               "ranking": 0, "serviceId": 31, "parameters": {"s": "1.0"}}]}""";

    @TempDir
    Path dir;

    private FixedAnswerServer server;

    @BeforeEach
    void serve() throws IOException {
        server = new FixedAnswerServer(StrategiesCommand.PATH, LISTING);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String base() {
        return server.base();
    }

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new StrategiesCommand(dir).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsOneRowPerStrategyWithBundleVersionRankingAndParameters() {
        String table = run("--url", base());
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).startsWith("STRATEGY"), table);
        assertTrue(lines.get(1).matches("layer-sparsity\\s+io\\.penni\\.strategy-layer\\s+0\\.1\\.0\\s+5\\s+"
                + "amount=0\\.5, layer\\.conv1=0\\.1"), lines.get(1));
        assertTrue(lines.get(2).startsWith("std-threshold *"), "the default is marked: " + lines.get(2));
    }

    @Test
    void findsTheServerThroughVarServerJson() throws IOException {
        Files.createDirectories(dir.resolve("var"));
        Files.writeString(dir.resolve("var/server.json"), "{\"pid\": 1, \"metrics\": \"" + base() + "/metrics\"}");
        assertTrue(run().contains("io.penni.strategy-std"));
    }

    @Test
    void withoutARunningServerSaysHowToPointAtOne() {
        CliException e = assertThrows(CliException.class, () -> run());
        assertTrue(e.getMessage().startsWith("no running server found (") && e.getMessage().endsWith("give --url "
                + "http://HOST:PORT"), e.getMessage());
    }

    @Test
    void anUnreachableServerIsOneLineNamingTheAddress() {
        server.close();
        CliException e = assertThrows(CliException.class, () -> run("--url", base()));
        assertTrue(e.getMessage().startsWith("cannot reach the server at " + base() + "/penni/strategies"),
                e.getMessage());
    }

    @Test
    void jsonPrintsTheEndpointsAnswer() {
        assertEquals(LISTING + "\n", run("--url", base(), "--json"));
    }
}
