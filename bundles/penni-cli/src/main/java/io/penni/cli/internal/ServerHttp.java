package io.penni.cli.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The running server's HTTP endpoints, for the commands that read them: where the server is ({@code --url}, else
 * the {@code metrics} address in {@code var/server.json} under the base folder, which a running server writes), one
 * request, and the plain-text table those commands print.
 */
final class ServerHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerHttp() {
    }

    /**
     * An endpoint of the server.
     *
     * @param command the command, for messages
     * @param url {@code --url}, when given: the server's HTTP base, its /metrics, or any address on it
     * @param base the folder whose {@code var/server.json} names the server otherwise
     * @param path the endpoint's path
     * @return the endpoint's address
     * @throws CliException when no server is found or the address is not one
     */
    static URI endpoint(String command, Optional<String> url, Path base, String path) {
        String address = url.orElseGet(() -> serverAddress(base));
        try {
            URI uri = URI.create(address.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), path, null, null);
        } catch (IllegalArgumentException | URISyntaxException e) {
            throw CliException.usage(command + ": '" + address + "' is not a server address like "
                    + "http://127.0.0.1:8181 (" + e.getMessage() + ")");
        }
    }

    /** The server's address from {@code var/server.json}. */
    private static String serverAddress(Path base) {
        Path file = base.resolve("var/server.json");
        if (!Files.isRegularFile(file)) {
            throw new CliException("no running server found (" + file + " is missing); start one with bin/penni "
                    + "server, or give --url http://HOST:PORT", CliException.FAILED);
        }
        try {
            String metrics = JSON.readTree(file.toFile()).path("metrics").asText("");
            if (metrics.isBlank()) {
                throw new CliException(file + " names no metrics address; give --url http://HOST:PORT",
                        CliException.FAILED);
            }
            return metrics;
        } catch (IOException e) {
            throw new CliException(file + ": not readable JSON: " + e.getMessage(), CliException.FAILED);
        }
    }

    /**
     * Sends a request and returns the body of a 200 answer.
     *
     * @param request the request (its address is the endpoint)
     * @param hint what a non-200 answer may mean, for the message
     * @return the body
     * @throws CliException when the server cannot be reached or does not answer 200
     */
    static String send(HttpRequest request, String hint) {
        URI endpoint = request.uri();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new CliException(endpoint + " answered HTTP " + response.statusCode() + " (" + hint + ")",
                        CliException.FAILED);
            }
            return response.body();
        } catch (IOException e) {
            throw new CliException("cannot reach the server at " + endpoint + ": " + e, CliException.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while asking " + endpoint, CliException.FAILED);
        }
    }

    /**
     * A request with the time-out the commands use.
     *
     * @param endpoint the address
     * @return the builder
     */
    static HttpRequest.Builder request(URI endpoint) {
        return HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(15));
    }

    /**
     * Rows as left-aligned columns two spaces apart, the last column unpadded.
     *
     * @param rows the header row first
     * @return the lines
     */
    static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == row.length - 1 ? row[c] : String.format("%-" + (widths[c] + 2) + "s", row[c]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
