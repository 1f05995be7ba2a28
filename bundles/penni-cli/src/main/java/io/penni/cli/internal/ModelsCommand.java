package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code penni models [--url URL] [--json]}: the models the running server's repository has, every version on disk
 * with its state ({@code READY}: serving; {@code UNAVAILABLE}: superseded or not loaded yet; {@code FAILED}: why),
 * read from its Open Inference Protocol endpoint's repository index ({@code POST /v2/repository/index}).
 */
public final class ModelsCommand implements Command {

    /** The repository index's path on the server's HTTP port. */
    public static final String PATH = "/v2/repository/index";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path base;

    /** The command for this process: the base folder from {@code PENNI_BASE}, else the current folder. */
    public ModelsCommand() {
        this(Command.baseFolder());
    }

    /**
     * @param base the folder whose {@code var/server.json} says where the server is
     */
    public ModelsCommand(Path base) {
        this.base = base;
    }

    @Override
    public List<String> path() {
        return List.of("models");
    }

    @Override
    public String arguments() {
        return "[--url URL] [--json]";
    }

    @Override
    public String description() {
        return "the models the running server serves under /v2: name, versions, state";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("models", arguments(), args, Set.of("--json"), Set.of("--url"));
        a.exactly(0, "no words");
        URI endpoint = ServerHttp.endpoint("models", a.option("--url"), base, PATH);
        String body = ServerHttp.send(ServerHttp.request(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), "is the server's penni-serving bundle running?");
        if (a.flag("--json")) {
            out.print(body.endsWith("\n") ? body : body + "\n");
            return 0;
        }
        try {
            out.print(table(JSON.readTree(body)));
        } catch (IOException e) {
            throw new CliException(endpoint + " did not answer with the repository index: " + e.getMessage(),
                    CliException.FAILED);
        }
        return 0;
    }

    /** The index as a table. */
    static String table(JsonNode index) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MODEL", "VERSION", "STATE", "BACKEND", "REASON"});
        for (JsonNode v : index) {
            rows.add(new String[] {v.path("name").asText(), v.path("version").asText(), v.path("state").asText(),
                v.path("backend").asText(), v.path("reason").asText()});
        }
        return rows.size() == 1 ? "(no model in the repository; bin/penni deploy adds one)\n" : ServerHttp.table(rows);
    }
}
