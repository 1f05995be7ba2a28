package io.penni.api.compute;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The native tensor runtime, registered once it has loaded its native libraries. Components that use
 * ND4J reference this service so that they never run before the runtime is ready.
 */
@ProviderType
public interface TensorRuntime {

    /** @return the backend's name, e.g. {@code CPU} */
    String backend();

    /** @return the native build in use, e.g. {@code linux-x86_64-onednn-avx2} */
    String nativeBuild();

    /** @return the configured cap on off-heap memory ND4J may allocate, in bytes */
    long maxOffHeapBytes();

    /** @return the configured cap on the process's physical memory, in bytes (0: none) */
    long maxPhysicalBytes();

    /** @return off-heap bytes ND4J has allocated now */
    long offHeapBytes();

    /** @return the process's resident physical memory now, in bytes */
    long physicalBytes();

    /** @return threads the native kernels use */
    int threads();
}
