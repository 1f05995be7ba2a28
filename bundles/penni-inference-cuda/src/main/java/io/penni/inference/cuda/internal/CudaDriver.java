package io.penni.inference.cuda.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The CUDA driver API as far as the backend needs it, through the JNI shim {@code libpenni_cuda.so} built with
 * this bundle (src/main/c/penni_cuda.c), which dlopens {@code libcuda.so.1} at run time. {@link #unavailable()}
 * says, in one line, why no GPU can be used here; only when it is empty may the other methods be called. They
 * throw {@link IllegalStateException} naming the CUDA call and error when the driver fails.
 */
final class CudaDriver {

    private static final String LIBRARY = "libpenni_cuda.so";
    private static final String KERNELS = "penni_kernels.ptx";
    private static Optional<String> problem;

    private CudaDriver() {
    }

    /** @return empty when a GPU is ready, else why not (no shim, no kernels, no driver, no device) */
    static synchronized Optional<String> unavailable() {
        if (problem == null) {
            problem = open0();
        }
        return problem;
    }

    private static Optional<String> open0() {
        if (CudaDriver.class.getResource(KERNELS) == null) {
            return Optional.of("the bundle has no CUDA kernels: it was built where nvcc was not on the PATH");
        }
        try (InputStream in = CudaDriver.class.getResourceAsStream(LIBRARY)) {
            if (in == null) {
                return Optional.of("the bundle has no JNI shim: it was built without gcc or the JDK's jni.h");
            }
            Path file = Files.createTempFile("penni-cuda", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toString());
        } catch (IOException | UnsatisfiedLinkError e) {
            return Optional.of("cannot load the JNI shim: " + e.getMessage());
        }
        String reason = open();
        return reason.isEmpty() ? Optional.empty() : Optional.of(reason);
    }

    /** @return the PTX of the kernels */
    static byte[] kernels() throws IOException {
        try (InputStream in = CudaDriver.class.getResourceAsStream(KERNELS)) {
            return in.readAllBytes();
        }
    }

    static native String open();

    static native String deviceName();

    static native long loadModule(byte[] ptx);

    static native long function(long module, String name);

    static native long malloc(long bytes);

    static native void free(long pointer);

    static native void upload(long pointer, float[] data, int offset, int count);

    static native void uploadInts(long pointer, int[] data);

    static native void download(long pointer, float[] data, int offset, int count);

    /**
     * Launches a kernel on a 1-D grid.
     *
     * @param function the kernel
     * @param grid blocks
     * @param block threads per block
     * @param arguments one 8-byte slot per parameter: device pointers and longs whole, ints and floats (as
     *        {@link Float#floatToRawIntBits}) in the low 4 bytes
     */
    static native void launch(long function, int grid, int block, long[] arguments);

    static native void synchronize();
}
