package io.penni.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.penni.api.model.Tensor;
import io.penni.model.internal.SafeTensorsHeader;

/**
 * An open safetensors file whose header has been checked against the file (see
 * {@link SafeTensors#open(Path, FileLimits)}). Look at {@link #entries()} first, then read the tensors you
 * want: nothing is allocated for a tensor before it is read. Not thread-safe; close it when done.
 */
public final class SafeTensorsReader implements AutoCloseable {

    /** Bytes converted per read, so a large tensor is not held twice. */
    private static final int CHUNK = 1 << 20;

    private final String file;
    private final FileChannel channel;
    private final long dataStart;
    private final long fileBytes;
    private final Map<String, TensorEntry> entries;
    private final Map<String, String> metadata;

    SafeTensorsReader(String file, FileChannel channel, long dataStart, long fileBytes, SafeTensorsHeader header) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.fileBytes = fileBytes;
        Map<String, TensorEntry> byName = new LinkedHashMap<>();
        header.entries().forEach(e -> byName.put(e.name(), e));
        this.entries = Collections.unmodifiableMap(byName);
        this.metadata = header.metadata();
    }

    /** @return every tensor's header entry by name, in data order */
    public Map<String, TensorEntry> entries() {
        return entries;
    }

    /** @return the header's {@code __metadata__} strings */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads one tensor.
     *
     * @param name its name
     * @return its values
     * @throws ModelException if there is no such tensor, the file changed since it was opened, a BOOL value is
     *         neither 0 nor 1, or reading fails
     */
    public StoredTensor read(String name) {
        TensorEntry entry = entries.get(name);
        if (entry == null) {
            throw new ModelException(file + ": has no tensor '" + name + "'");
        }
        int count = (int) entry.elements();
        int[] shape = entry.shape();
        return switch (entry.dtype()) {
            case F32 -> {
                float[] values = new float[count];
                readChunks(entry, (buffer, at) -> {
                    int n = buffer.remaining() / Float.BYTES;
                    buffer.asFloatBuffer().get(values, (int) (at / Float.BYTES), n);
                });
                yield new StoredTensor.F32(new Tensor(shape, values));
            }
            case U8 -> {
                byte[] values = new byte[count];
                readChunks(entry, (buffer, at) -> buffer.get(values, (int) at, buffer.remaining()));
                yield new StoredTensor.U8(shape, values);
            }
            case BOOL -> {
                boolean[] values = new boolean[count];
                readChunks(entry, (buffer, at) -> {
                    for (int i = 0; buffer.hasRemaining(); i++) {
                        byte b = buffer.get();
                        if (b != 0 && b != 1) {
                            throw new ModelException(file + ": tensor '" + name + "': BOOL element " + (at + i)
                                    + " is " + Byte.toUnsignedInt(b) + "; only 0 and 1 are allowed");
                        }
                        values[(int) at + i] = b == 1;
                    }
                });
                yield new StoredTensor.Bool(shape, values);
            }
        };
    }

    /**
     * Reads a float32 tensor.
     *
     * @param name its name
     * @return its values
     * @throws ModelException as {@link #read(String)} does, or if its dtype is not F32
     */
    public Tensor readF32(String name) {
        StoredTensor tensor = read(name);
        if (tensor instanceof StoredTensor.F32 f) {
            return f.tensor();
        }
        throw new ModelException(file + ": tensor '" + name + "' is " + tensor.dtype() + ", not F32");
    }

    /**
     * Reads every tensor.
     *
     * @return the whole file
     * @throws ModelException as {@link #read(String)} does
     */
    public TensorFile readAll() {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            tensors.put(name, read(name));
        }
        return new TensorFile(tensors, metadata);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a file opened for reading loses nothing
        }
    }

    private interface ChunkSink {
        /** Takes the next little-endian chunk; {@code at} is the byte offset of the chunk within the tensor. */
        void accept(ByteBuffer chunk, long at);
    }

    private void readChunks(TensorEntry entry, ChunkSink sink) {
        try {
            if (channel.size() != fileBytes) {
                throw new ModelException(file + ": changed since it was opened (" + fileBytes + " bytes, now "
                        + channel.size() + ")");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, entry.end() - entry.begin()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long position = entry.begin();
            while (position < entry.end()) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), entry.end() - position));
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, dataStart + position + buffer.position());
                    if (n < 0) {
                        throw new ModelException(file + ": ended early while reading tensor '" + entry.name() + "'");
                    }
                }
                buffer.flip();
                sink.accept(buffer, position - entry.begin());
                position += buffer.limit();
            }
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read tensor '" + entry.name() + "': " + e.getMessage(), e);
        }
    }
}
