package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code penni strategies [--url URL] [--json]}: the pruning strategies the running server has now — name, bundle,
 * version, ranking, parameters, and which one a request naming none gets — read from its
 * {@code /penni/strategies} endpoint. The server's address is {@code --url} (its HTTP base, e.g.
 * {@code http://127.0.0.1:8181}), else the {@code metrics} address in {@code var/server.json} under the base folder
 * ({@code PENNI_BASE}, else the current folder), which a running server writes.
 */
public final class StrategiesCommand implements Command {

    /** The endpoint's path on the server's HTTP port. */
    public static final String PATH = "/penni/strategies";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path base;

    /** The command for this process: the base folder from {@code PENNI_BASE}, else the current folder. */
    public StrategiesCommand() {
        this(Command.baseFolder());
    }

    /**
     * @param base the folder whose {@code var/server.json} says where the server is
     */
    public StrategiesCommand(Path base) {
        this.base = base;
    }

    @Override
    public List<String> path() {
        return List.of("strategies");
    }

    @Override
    public String arguments() {
        return "[--url URL] [--json]";
    }

    @Override
    public String description() {
        return "the pruning strategies the running server has now: name, bundle, version, parameters";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Optional<String> url = Optional.empty();
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--json")) {
                json = true;
            } else if (args.get(i).equals("--url") && i + 1 < args.size()) {
                url = Optional.of(args.get(++i));
            } else {
                throw CliException.usage("strategies: unexpected argument '" + args.get(i) + "'; usage: strategies "
                        + arguments());
            }
        }
        URI endpoint = ServerHttp.endpoint("strategies", url, base, PATH);
        String body = ServerHttp.send(ServerHttp.request(endpoint).GET().build(),
                "is the server's penni-strategies-http bundle running?");
        if (json) {
            out.print(body.endsWith("\n") ? body : body + "\n");
            return 0;
        }
        try {
            out.print(table(JSON.readTree(body)));
        } catch (IOException e) {
            throw new CliException(endpoint + " did not answer with the strategies' JSON: " + e.getMessage(),
                    CliException.FAILED);
        }
        return 0;
    }

    /** The strategies as a table, the default marked. */
    static String table(JsonNode listing) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"STRATEGY", "BUNDLE", "VERSION", "RANKING", "PARAMETERS"});
        String chosen = listing.path("default").asText("");
        for (JsonNode s : listing.path("strategies")) {
            List<String> parameters = new ArrayList<>();
            s.path("parameters").fields().forEachRemaining(p -> parameters.add(p.getKey() + "=" + p.getValue().asText()));
            String name = s.path("name").asText();
            rows.add(new String[] {name + (name.equals(chosen) ? " *" : ""), s.path("bundle").asText(),
                s.path("version").asText(), s.path("ranking").asText(), String.join(", ", parameters)});
        }
        StringBuilder text = new StringBuilder(ServerHttp.table(rows));
        if (rows.size() == 1) {
            text.append("(no pruning strategy is registered)\n");
        } else if (!chosen.isEmpty()) {
            text.append("* what a request that names no strategy gets\n");
        }
        return text.toString();
    }
}
