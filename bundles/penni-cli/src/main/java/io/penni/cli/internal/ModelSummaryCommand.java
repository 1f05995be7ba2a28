package io.penni.cli.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import io.penni.model.Architectures;
import io.penni.model.ModelCount;
import io.penni.model.ModelCounter;
import io.penni.model.ModelSummary;

/**
 * {@code penni model summary ARCH|MODEL.json|MODEL.onnx [--json]}: the per-layer table of parameters, MACs and
 * activation memory of a built-in architecture (its graph alone, no weights needed) or of a model file (counting
 * the non-zero coefficients of decomposed layers); an ONNX file is imported first, so the table shows what a job
 * would start from.
 */
public final class ModelSummaryCommand implements Command {

    @Override
    public List<String> path() {
        return List.of("model", "summary");
    }

    @Override
    public String arguments() {
        return "ARCH|MODEL.json|MODEL.onnx [--json]";
    }

    @Override
    public String description() {
        return "per-layer params, MACs and activation memory; ARCH is one of " + String.join(", ",
                Architectures.names());
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        boolean json = false;
        List<String> positional = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.startsWith("-")) {
                throw CliException.usage("model summary: unknown option " + arg + "; usage: model summary "
                        + arguments());
            } else {
                positional.add(arg);
            }
        }
        if (positional.size() != 1) {
            throw CliException.usage("model summary: give one architecture or model file; usage: model summary "
                    + arguments());
        }
        String subject = positional.get(0);
        ModelCount count = ModelFileArgument.isFile(subject)
                ? ModelCounter.count(ModelFileArgument.load(subject))
                : ModelCounter.count(Architectures.network(subject));
        out.print(json ? ModelSummary.json(count) : ModelSummary.text(count));
        return 0;
    }
}
