package io.penni.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import io.penni.model.internal.SafeTensorsHeader;

/**
 * Reads and writes <a href="https://huggingface.co/docs/safetensors">safetensors</a> files: an 8-byte
 * little-endian header length N, N bytes of JSON
 * ({@code {name: {dtype, shape, data_offsets}, "__metadata__": {..}}}), then the raw little-endian data.
 * Supports {@link DType F32, U8 and BOOL}.
 *
 * <p>Reading checks everything before it allocates a tensor: the file is no larger than the limit, the header
 * length is sane, within the limit and within the file, the header is valid JSON, every dtype is known, every
 * shape × element size equals its data_offsets span, the offsets lie inside the data and tile it without gaps
 * or overlaps, and the file length is exactly 8 + header + data.
 */
public final class SafeTensors {

    private static final int CHUNK = 1 << 20;

    private SafeTensors() {
    }

    /**
     * Opens a file and checks its header against the file.
     *
     * @param file the file
     * @param limits the largest file and header accepted
     * @return the open file; close it
     * @throws ModelException naming the file (and tensor) if it is missing, too large or inconsistent
     */
    public static SafeTensorsReader open(Path file, FileLimits limits) {
        String name = file.toString();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            long size = channel.size();
            if (size > limits.maxFileBytes()) {
                throw new ModelException(name + ": " + size + " bytes is more than the limit of "
                        + limits.maxFileBytes() + " bytes");
            }
            if (size < 8) {
                throw new ModelException(name + ": " + size + " bytes is too short for a safetensors file "
                        + "(it starts with an 8-byte header length)");
            }
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, length, 0);
            long headerBytes = length.flip().getLong();
            if (headerBytes < 0 || headerBytes > limits.maxJsonBytes()) {
                throw new ModelException(name + ": header length " + Long.toUnsignedString(headerBytes)
                        + " is more than the limit of " + limits.maxJsonBytes() + " bytes");
            }
            if (headerBytes < 2) {
                throw new ModelException(name + ": header length " + headerBytes + " is too small for a JSON object");
            }
            if (headerBytes > size - 8) {
                throw new ModelException(name + ": header length " + headerBytes + " runs past the end of the file ("
                        + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            readFully(channel, header, 8);
            SafeTensorsHeader parsed = SafeTensorsHeader.parse(name, header.array(), size - 8 - headerBytes);
            SafeTensorsReader reader = new SafeTensorsReader(name, channel, 8 + headerBytes, size, parsed);
            channel = null;
            return reader;
        } catch (NoSuchFileException e) {
            throw new ModelException(name + ": no such file");
        } catch (IOException e) {
            throw new ModelException(name + ": cannot read: " + e.getMessage(), e);
        } finally {
            closeQuietly(channel);
        }
    }

    /**
     * Reads a whole file.
     *
     * @param file the file
     * @param limits the largest file and header accepted
     * @return its tensors and metadata
     * @throws ModelException naming the file (and tensor) if it is missing, too large or inconsistent
     */
    public static TensorFile read(Path file, FileLimits limits) {
        try (SafeTensorsReader reader = open(file, limits)) {
            return reader.readAll();
        }
    }

    /**
     * Writes a file: the tensors back to back in the map's order, the header padded with spaces to a multiple
     * of 8 bytes. The file appears whole or not at all: it is written beside the target and then moved over it.
     *
     * @param file the file
     * @param content the tensors and metadata; no tensor may be named {@code __metadata__} or the empty string
     * @throws ModelException naming the file if it cannot be written or a tensor name is not allowed
     */
    public static void write(Path file, TensorFile content) {
        for (String tensor : content.tensors().keySet()) {
            if (tensor.isEmpty() || tensor.equals(SafeTensorsHeader.METADATA)) {
                throw new ModelException(file + ": a tensor cannot be named '" + tensor + "'");
            }
        }
        byte[] header = SafeTensorsHeader.encode(content.tensors(), content.metadata());
        Path temporary = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(header.length);
            writeBytes(channel, buffer, header);
            for (StoredTensor tensor : content.tensors().values()) {
                writeTensor(channel, buffer, tensor);
            }
            flush(channel, buffer);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new ModelException(file + ": cannot write: " + e.getMessage(), e);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new ModelException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void writeTensor(FileChannel channel, ByteBuffer buffer, StoredTensor tensor) throws IOException {
        if (tensor instanceof StoredTensor.F32 f) {
            for (float v : f.tensor().data()) {
                if (buffer.remaining() < Float.BYTES) {
                    flush(channel, buffer);
                }
                buffer.putFloat(v);
            }
        } else if (tensor instanceof StoredTensor.U8 u) {
            writeBytes(channel, buffer, u.values());
        } else if (tensor instanceof StoredTensor.Bool b) {
            for (boolean v : b.values()) {
                if (!buffer.hasRemaining()) {
                    flush(channel, buffer);
                }
                buffer.put((byte) (v ? 1 : 0));
            }
        }
    }

    private static void writeBytes(FileChannel channel, ByteBuffer buffer, byte[] bytes) throws IOException {
        int at = 0;
        while (at < bytes.length) {
            if (!buffer.hasRemaining()) {
                flush(channel, buffer);
            }
            int n = Math.min(buffer.remaining(), bytes.length - at);
            buffer.put(bytes, at, n);
            at += n;
        }
    }

    private static void flush(FileChannel channel, ByteBuffer buffer) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing was written through it
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the original failure is the one to report
        }
    }
}
