package io.penni.inference.cpu.internal;

import java.util.Optional;

/**
 * Whether this JVM can run the Vector API kernels: the incubator module must be in the boot layer (the JVM
 * started with {@code --add-modules jdk.incubator.vector}). Checked before {@link VectorKernels} is ever
 * loaded, so a JVM without the module never touches its classes.
 */
public final class VectorSupport {

    private static final String MODULE = "jdk.incubator.vector";
    private static Kernels instance;

    private VectorSupport() {
    }

    /** @return whether the module is present */
    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /** @return the Vector API kernels (one instance per JVM), or empty where the module is missing */
    public static synchronized Optional<Kernels> kernels() {
        if (!available()) {
            return Optional.empty();
        }
        if (instance == null) {
            try {
                instance = new VectorKernels();
            } catch (LinkageError e) {
                // present in the JVM but not visible to this bundle (the framework does not export it)
                return Optional.empty();
            }
        }
        return Optional.of(instance);
    }
}
