package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.cli.internal.ModelsCommand;

class ModelsCommandTest {

    private static final String INDEX = """
            [{"name": "fashion", "version": "2", "state": "READY", "reason": "", "backend": "cpu"},
             {"name": "fashion", "version": "1", "state": "UNAVAILABLE", "reason": "superseded by version 2"}]""";

    @TempDir
    Path dir;

    private FixedAnswerServer server;

    @BeforeEach
    void serve() throws IOException {
        server = new FixedAnswerServer(ModelsCommand.PATH, INDEX);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, new ModelsCommand(dir).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsEveryVersionWithItsStateFromTheRepositoryIndex() {
        List<String> lines = run("--url", server.base()).lines().toList();
        assertEquals("POST", server.lastMethod(), "the protocol's repository index is a POST");
        assertTrue(lines.get(0).matches("MODEL\\s+VERSION\\s+STATE\\s+BACKEND\\s+REASON"), lines.get(0));
        assertTrue(lines.get(1).matches("fashion\\s+2\\s+READY\\s+cpu"), lines.get(1));
        assertTrue(lines.get(2).matches("fashion\\s+1\\s+UNAVAILABLE\\s+superseded by version 2"), lines.get(2));
    }
}
