package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.penni.cli.internal.ModelsCommand;

class ModelsCommandTest {

    private static final String INDEX = """
            [{"name": "fashion", "version": "2", "state": "READY", "reason": ""},
             {"name": "fashion", "version": "1", "state": "UNAVAILABLE", "reason": "superseded by version 2"}]""";

    @TempDir
    Path dir;

    private HttpServer server;
    private String method;

    @BeforeEach
    void serve() throws IOException {
        // a real HTTP server answering as the container's repository index does
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(ModelsCommand.PATH, exchange -> {
            method = exchange.getRequestMethod();
            byte[] body = INDEX.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, new ModelsCommand(dir).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsEveryVersionWithItsStateFromTheRepositoryIndex() {
        List<String> lines = run("--url", "http://127.0.0.1:" + server.getAddress().getPort()).lines().toList();
        assertEquals("POST", method, "the protocol's repository index is a POST");
        assertTrue(lines.get(0).matches("MODEL\\s+VERSION\\s+STATE\\s+REASON"), lines.get(0));
        assertTrue(lines.get(1).matches("fashion\\s+2\\s+READY"), lines.get(1));
        assertTrue(lines.get(2).matches("fashion\\s+1\\s+UNAVAILABLE\\s+superseded by version 2"), lines.get(2));
    }
}
