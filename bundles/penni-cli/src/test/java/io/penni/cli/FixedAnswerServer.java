package io.penni.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

/** A real HTTP server on a free loopback port answering one path with a fixed JSON body, as a container's endpoint. */
final class FixedAnswerServer implements AutoCloseable {

    private final HttpServer server;
    private volatile String lastMethod = "";

    /**
     * Starts it.
     *
     * @param path the endpoint's path
     * @param body what it answers, with 200
     * @throws IOException if no port can be had
     */
    FixedAnswerServer(String path, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, exchange -> {
            lastMethod = exchange.getRequestMethod();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** @return its address, {@code http://127.0.0.1:PORT} */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** @return the method of the last request */
    String lastMethod() {
        return lastMethod;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
