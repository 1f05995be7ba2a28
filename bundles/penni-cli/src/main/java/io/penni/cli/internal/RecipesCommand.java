package io.penni.cli.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import io.penni.pipeline.Recipes;

/**
 * {@code penni recipes [--dir DIR]}: the budget recipes a request may name ({@code "recipe": "fast"}), read from
 * the same folder the server reads them from ({@code runtime-config/recipes/} under the base folder), with their
 * key settings and descriptions; files that are not valid recipes are named with the reason.
 */
public final class RecipesCommand implements Command {

    private final Path base;

    /** The command for this process: the base folder from {@code PENNI_BASE}, else the current folder. */
    public RecipesCommand() {
        this(Command.baseFolder());
    }

    /**
     * @param base the folder whose {@code runtime-config/recipes/} holds the recipes
     */
    public RecipesCommand(Path base) {
        this.base = base;
    }

    @Override
    public List<String> path() {
        return List.of("recipes");
    }

    @Override
    public String arguments() {
        return "[--dir DIR]";
    }

    @Override
    public String description() {
        return "the budget recipes a request can name (\"recipe\": NAME), with their key settings";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Path folder = base.resolve("runtime-config").resolve("recipes");
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--dir") && i + 1 < args.size()) {
                folder = Path.of(args.get(++i));
            } else {
                throw CliException.usage("recipes: unexpected argument '" + args.get(i) + "'; usage: recipes "
                        + arguments());
            }
        }
        Recipes recipes = Recipes.load(folder);
        if (recipes.list().isEmpty() && recipes.problems().isEmpty()) {
            out.println("no recipes in " + folder);
            return 0;
        }
        out.print(table(recipes));
        return 0;
    }

    /**
     * @param recipes the recipes
     * @return one row of key settings per recipe, then each description, then the files left out
     */
    static String table(Recipes recipes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RECIPE", "EPOCHS pre/re/fine", "LR", "L1", "d", "DISTILL", "PRUNING"});
        for (Recipes.Recipe r : recipes.list()) {
            JsonNode q = r.request();
            JsonNode p = q.path("penni");
            JsonNode kd = p.path("distillation");
            JsonNode pruning = q.path("pruning");
            int gradual = pruning.path("gradualEpochs").asInt(0);
            rows.add(new String[] {r.id().toString(),
                epochs(q.path("pretrain"), 100) + "/" + epochs(p.path("retrain"), 100) + "/"
                        + epochs(p.path("finetune"), 30),
                p.path("retrain").path("learningRateSchedule").asText("step"),
                p.path("l1").asText("1e-4"), p.path("bases").asText("5"),
                kd.path("enabled").asBoolean(false) ? String.format(Locale.ROOT, "a=%s T=%s",
                        kd.path("alpha").asText("0.5"), kd.path("temperature").asText("4")) : "off",
                pruning.path("strategy").asText("default") + parameters(pruning.path("parameters"))
                        + (pruning.path("linear").asBoolean(false) ? " +fc" : "")
                        + (gradual > 0 ? " gradual=" + gradual : "")});
        }
        StringBuilder text = new StringBuilder(ServerHttp.table(rows));
        text.append('\n');
        for (Recipes.Recipe r : recipes.list()) {
            text.append(r.id()).append(": ").append(r.description()).append('\n');
        }
        for (String problem : recipes.problems()) {
            text.append("left out: ").append(problem).append('\n');
        }
        return text.toString();
    }

    private static String epochs(JsonNode schedule, int paper) {
        return schedule.path("epochs").asText(String.valueOf(paper));
    }

    private static String parameters(JsonNode parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
        return pairs.isEmpty() ? "" : " " + String.join(",", pairs);
    }
}
