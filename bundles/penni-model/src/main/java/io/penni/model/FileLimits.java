package io.penni.model;

/**
 * How much a reader accepts before it allocates anything: files from users must not make the server run out
 * of memory.
 *
 * @param maxFileBytes the largest safetensors file read, in bytes
 * @param maxJsonBytes the largest JSON text read: a safetensors header or a graph file, in bytes
 */
public record FileLimits(long maxFileBytes, int maxJsonBytes) {

    /** 4 GiB of weights (AlexNet is 0.24 GB, ResNet-50 0.1 GB) and 16 MiB of JSON. */
    public static final FileLimits DEFAULT = new FileLimits(4L << 30, 16 << 20);

    /** Checks the fields. */
    public FileLimits {
        if (maxFileBytes < 8 || maxJsonBytes < 2) {
            throw new IllegalArgumentException(
                    "file limits too small: " + maxFileBytes + " file bytes, " + maxJsonBytes + " JSON bytes");
        }
    }
}
