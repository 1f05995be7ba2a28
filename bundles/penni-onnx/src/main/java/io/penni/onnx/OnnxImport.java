package io.penni.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import io.penni.api.job.ModelSource;
import io.penni.api.model.Model;
import io.penni.model.FileLimits;
import io.penni.model.ModelException;
import io.penni.onnx.internal.importer.GraphImporter;
import io.penni.onnx.internal.proto.OnnxIr.ModelProto;

/**
 * Reads an ONNX file exported by PyTorch (or any exporter keeping to the supported operators) into the IR: a
 * {@link Model} whose layers are named after the ONNX nodes and whose parameters are the graph's float32
 * initializers. Opsets {@value OnnxFormat#MIN_IMPORT_OPSET} to {@value OnnxFormat#MAX_IMPORT_OPSET};
 * Conv, BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, Add, Gemm, MatMul + Add, Flatten,
 * Dropout, Identity and Clip with min 0 and no max (a ReLU) map onto IR layers, with per-side (asymmetric) pads;
 * Reshape and Squeeze that only flatten, a zero Pad (into the Conv after it), and the
 * Constant/Shape/Gather/Unsqueeze/Concat arithmetic computing a flatten's shape are folded away. Anything else
 * is refused with one {@link ModelException} naming the file, the node, its operator and what is supported.
 *
 * <p>The file is checked against {@link FileLimits#maxFileBytes()} before it is read, and every tensor's
 * dimensions against the data it holds, so no claim in a file makes the importer allocate more than the file.
 */
public final class OnnxImport {

    /** protobuf-java reads at most 2 GiB per message; ONNX keeps larger models' weights in external files. */
    private static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

    private OnnxImport() {
    }

    /**
     * Imports a file with {@link FileLimits#DEFAULT}.
     *
     * @param file the {@code .onnx} file
     * @return the model, valid; its network is named after the file
     * @throws ModelException naming the file and what is wrong at the first problem
     */
    public static Model read(Path file) {
        return read(file, FileLimits.DEFAULT);
    }

    /**
     * Imports a file.
     *
     * @param file the {@code .onnx} file
     * @param limits the largest file accepted ({@link FileLimits#maxFileBytes()})
     * @return the model, valid; its network is named after the file
     * @throws ModelException naming the file and what is wrong at the first problem
     */
    public static Model read(Path file, FileLimits limits) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": no such file");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
        long limit = Math.min(limits.maxFileBytes(), PROTOBUF_LIMIT);
        if (size > limit) {
            throw new ModelException(file + ": is " + size + " bytes, over the limit of " + limit + " bytes"
                    + (limit == PROTOBUF_LIMIT ? " (ONNX files over 2 GiB keep weights in external data, which is"
                            + " not supported)" : ""));
        }
        ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit((int) Math.max(size, 1));
            proto = ModelProto.parseFrom(coded);
            if (Files.size(file) != size) {
                throw new ModelException(file + ": changed while it was read");
            }
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(file + ": not a readable ONNX model (truncated or corrupt): " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
        return GraphImporter.read(proto, file.toString(), networkName(file));
    }

    /**
     * Imports a model already in memory (a test's, or one received over a connection).
     *
     * @param bytes the ONNX model's bytes
     * @param source how messages name it
     * @param networkName the IR network's name
     * @return the model, valid
     * @throws ModelException naming the source and what is wrong at the first problem
     */
    public static Model read(byte[] bytes, String source, String networkName) {
        try {
            return GraphImporter.read(ModelProto.parseFrom(bytes), source, networkName);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(source + ": not a readable ONNX model (truncated or corrupt): "
                    + e.getMessage(), e);
        }
    }

    /** The file's name without {@code .onnx}, as an IR network name. */
    private static String networkName(Path file) {
        String name = file.getFileName().toString();
        if (ModelSource.Format.of(name) == ModelSource.Format.ONNX) {
            name = name.substring(0, name.length() - ".onnx".length());
        }
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.isEmpty() ? "onnx" : cleaned;
    }
}
