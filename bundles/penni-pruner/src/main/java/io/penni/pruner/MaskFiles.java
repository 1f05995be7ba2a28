package io.penni.pruner;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.penni.model.FileLimits;
import io.penni.model.ModelException;
import io.penni.model.SafeTensors;
import io.penni.model.StoredTensor;
import io.penni.model.TensorFile;

/**
 * Masks as a safetensors file: one BOOL tensor per masked parameter, named and shaped like the parameter, with
 * the header metadata {@code format=penni-masks} and whatever the writer adds (the pruner records the strategy
 * and its parameters).
 */
public final class MaskFiles {

    /** The metadata value of {@code format}. */
    public static final String FORMAT = "penni-masks";

    private MaskFiles() {
    }

    /**
     * Writes masks, whole or not at all.
     *
     * @param masks the masks
     * @param metadata extra header strings (the {@code format} entry is added)
     * @param file the file to write
     * @throws ModelException if it cannot be written
     */
    public static void save(ParameterMasks masks, Map<String, String> metadata, Path file) {
        Map<String, String> header = new LinkedHashMap<>(metadata);
        header.put("format", FORMAT);
        SafeTensors.write(file, new TensorFile(new LinkedHashMap<String, StoredTensor>(masks.masks()), header));
    }

    /**
     * Reads masks.
     *
     * @param file a file {@link #save} wrote
     * @return the masks
     * @throws ModelException naming the file and tensor if it is not a mask file
     */
    public static ParameterMasks load(Path file) {
        TensorFile content = read(file);
        Map<String, StoredTensor.Bool> masks = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> tensor : content.tensors().entrySet()) {
            if (!(tensor.getValue() instanceof StoredTensor.Bool mask)) {
                throw new ModelException(file + ": tensor '" + tensor.getKey() + "' is " + tensor.getValue().dtype()
                        + "; a mask must be BOOL");
            }
            masks.put(tensor.getKey(), mask);
        }
        return new ParameterMasks(masks);
    }

    /**
     * Reads a mask file's header metadata.
     *
     * @param file a file {@link #save} wrote
     * @return its metadata, {@code format} included
     * @throws ModelException if it is not a mask file
     */
    public static Map<String, String> metadata(Path file) {
        try (var reader = SafeTensors.open(file, FileLimits.DEFAULT)) {
            check(file, reader.metadata());
            return reader.metadata();
        }
    }

    private static TensorFile read(Path file) {
        TensorFile content = SafeTensors.read(file, FileLimits.DEFAULT);
        check(file, content.metadata());
        return content;
    }

    private static void check(Path file, Map<String, String> metadata) {
        if (!FORMAT.equals(metadata.get("format"))) {
            throw new ModelException(file + ": not a mask file (its metadata needs format=" + FORMAT + ")");
        }
    }
}
