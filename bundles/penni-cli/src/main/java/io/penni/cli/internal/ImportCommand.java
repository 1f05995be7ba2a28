package io.penni.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.penni.api.model.Model;
import io.penni.model.ModelCounter;
import io.penni.model.ModelFiles;
import io.penni.model.ModelSummary;
import io.penni.onnx.OnnxImport;

/**
 * {@code penni import FILE.onnx --out DIR}: imports an ONNX model (e.g. from torch.onnx.export) into our model
 * files, {@code DIR/NAME.json} with {@code DIR/NAME.safetensors} beside it (NAME: the file's name without
 * {@code .onnx}), and prints their layer table. What cannot be imported is one error line naming the node.
 */
public final class ImportCommand implements Command {

    private static final String OUT = "--out";

    @Override
    public List<String> path() {
        return List.of("import");
    }

    @Override
    public String arguments() {
        return "FILE.onnx --out DIR";
    }

    @Override
    public String description() {
        return "import an ONNX model into model files DIR/NAME.json + .safetensors and print its layer table";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("import", arguments(), args, Set.of(), Set.of(OUT));
        Path file = Path.of(a.exactly(1, "one ONNX file").get(0));
        Path folder = Path.of(a.option(OUT).orElseThrow(() -> CliException.usage("import: give the folder to"
                + " write the model files to; usage: import " + arguments())));
        Model model = OnnxImport.read(file);
        Path graph = folder.resolve(model.network().name() + ".json");
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new CliException(folder + ": cannot create the folder: " + e.getMessage(), CliException.FAILED);
        }
        ModelFiles.save(model, graph);
        out.print(ModelSummary.text(ModelCounter.count(model)));
        out.println("wrote " + graph + " and " + ModelFiles.weightsOf(graph));
        return 0;
    }
}
