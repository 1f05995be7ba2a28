package io.penni.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.penni.api.model.Model;
import io.penni.model.ModelException;
import io.penni.model.ModelParameters;
import io.penni.onnx.internal.export.GraphWriter;

/**
 * Writes a model as an ONNX file (opset {@value OnnxFormat#EXPORT_OPSET}, IR version
 * {@value OnnxFormat#EXPORT_IR_VERSION}) that ONNX Runtime and other runtimes run as they are.
 *
 * <p>The graph takes one float input named {@value #INPUT} of shape {@code [N, C, H, W]} with a symbolic batch
 * dimension {@value #BATCH}, and gives one output named {@value #OUTPUT} of shape {@code [N, outputs]}: the same
 * values, in the same order, as the reference forward pass. Each layer becomes the ONNX node of the same name (a
 * factored decomposed layer two nodes, {@code <layer>.basis} and {@code <layer>}); a batch norm that only a
 * convolution or linear layer feeds is folded into it; dropout is an {@code Identity}.
 */
public final class OnnxExport {

    /** The graph input's name. */
    public static final String INPUT = "input";

    /** The graph output's name. */
    public static final String OUTPUT = "logits";

    /** The symbolic batch dimension of the input and output. */
    public static final String BATCH = "N";

    private OnnxExport() {
    }

    /**
     * The ONNX file of a model, in memory.
     *
     * @param model a valid model
     * @param form how decomposed convolutions are written
     * @return the serialised {@code ModelProto}
     * @throws ModelException if the model is invalid or cannot be written, naming the layer or parameter
     */
    public static byte[] toBytes(Model model, ExportForm form) {
        ModelParameters.validate(model);
        return GraphWriter.write(model, form).toByteArray();
    }

    /**
     * Writes a model's ONNX file; the file appears whole or not at all (written beside it, then moved).
     *
     * @param model a valid model
     * @param form how decomposed convolutions are written
     * @param file where to write it
     * @throws ModelException if the model is invalid or cannot be written
     * @throws IOException if the file cannot be written
     */
    public static void write(Model model, ExportForm form, Path file) throws IOException {
        byte[] bytes = toBytes(model, form);
        Path absolute = file.toAbsolutePath();
        Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
        Files.write(partial, bytes);
        Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
