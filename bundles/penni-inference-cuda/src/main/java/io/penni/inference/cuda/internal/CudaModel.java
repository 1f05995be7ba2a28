package io.penni.inference.cuda.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;

/**
 * A model on the GPU: its weights uploaded once, one device buffer per step output (allocated for the largest
 * batch run so far), and the kernel launches of {@link CudaCompiler}'s steps. Runs are serialised.
 */
final class CudaModel implements LoadedModel {

    static final int BLOCK = 256;

    /** One kernel launch; {@code arguments} are filled in per batch from the buffers. */
    interface Launch {
        void run(CudaModel model, int batch);
    }

    /**
     * A step's output.
     *
     * @param name the value's name
     * @param size floats per image
     */
    record Buffer(String name, long size) {
    }

    private final ActivationShape inputShape;
    private final String input;
    private final int outputSize;
    private final String output;
    private final List<Launch> launches;
    private final Map<String, Buffer> buffers;
    private final long mapsPerImage;
    private final List<Long> weights;
    private final long weightBytes;
    private final Map<String, Long> pointers = new HashMap<>();
    private final Map<String, Long> functions;
    private int capacity;
    private long maps;
    private boolean closed;

    CudaModel(ActivationShape inputShape, String input, int outputSize, String output, List<Launch> launches,
            Map<String, Buffer> buffers, long mapsPerImage, List<Long> weights, long weightBytes,
            Map<String, Long> functions) {
        this.inputShape = inputShape;
        this.input = input;
        this.outputSize = outputSize;
        this.output = output;
        this.launches = List.copyOf(launches);
        this.buffers = new LinkedHashMap<>(buffers);
        this.mapsPerImage = mapsPerImage;
        this.weights = new ArrayList<>(weights);
        this.weightBytes = weightBytes;
        this.functions = Map.copyOf(functions);
    }

    /** @return the device pointer of a value for the current batch capacity */
    long pointer(String value) {
        return pointers.get(value);
    }

    /** @return the scratch buffer of the basis maps */
    long maps() {
        return maps;
    }

    long function(String name) {
        return functions.get(name);
    }

    /** Launches a kernel over {@code total} threads. */
    static void launch(long function, long total, long... arguments) {
        int grid = Math.toIntExact((total + BLOCK - 1) / BLOCK);
        CudaDriver.launch(function, grid, BLOCK, arguments);
    }

    static long i(int value) {
        return value & 0xffffffffL;
    }

    private void ensure(int batch) {
        if (batch <= capacity) {
            return;
        }
        releaseActivations();
        for (Buffer b : buffers.values()) {
            pointers.put(b.name(), CudaDriver.malloc(Math.max(4, b.size() * batch * Float.BYTES)));
        }
        maps = mapsPerImage == 0 ? 0 : CudaDriver.malloc(mapsPerImage * batch * Float.BYTES);
        capacity = batch;
    }

    private void releaseActivations() {
        pointers.values().forEach(CudaDriver::free);
        pointers.clear();
        if (maps != 0) {
            CudaDriver.free(maps);
            maps = 0;
        }
        capacity = 0;
    }

    @Override
    public ActivationShape inputShape() {
        return inputShape;
    }

    @Override
    public int outputSize() {
        return outputSize;
    }

    @Override
    public synchronized float[] run(float[] input, int batch) {
        if (closed) {
            throw new IllegalStateException("the model is closed");
        }
        long expected = batch * inputShape.size();
        if (batch < 1 || input.length != expected) {
            throw new IllegalArgumentException("a batch of " + batch + " images of " + inputShape + " needs "
                    + expected + " values, got " + input.length);
        }
        ensure(batch);
        CudaDriver.upload(pointer(this.input), input, 0, input.length);
        for (Launch l : launches) {
            l.run(this, batch);
        }
        CudaDriver.synchronize();
        float[] out = new float[batch * outputSize];
        CudaDriver.download(pointer(output), out, 0, out.length);
        return out;
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public long workspaceBytes(int batch) {
        long floats = mapsPerImage;
        for (Buffer b : buffers.values()) {
            floats += b.size();
        }
        return floats * batch * Float.BYTES;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            releaseActivations();
            weights.forEach(CudaDriver::free);
        }
    }
}
