package io.penni.inference.cpu.internal;

import java.util.Optional;

/**
 * Whether this JVM can run the Vector API kernels: the incubator module must be in the boot layer (the JVM
 * started with {@code --add-modules jdk.incubator.vector}). Checked before {@link VectorKernels} is ever
 * loaded, so a JVM without the module never touches its classes.
 */
public final class VectorSupport {

    private static final String MODULE = "jdk.incubator.vector";

    private VectorSupport() {
    }

    /** @return whether the module is present */
    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /** @return the Vector API kernels, or empty where the module is missing or they fail to start */
    public static Optional<Kernels> kernels() {
        if (!available()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new VectorKernels());
        } catch (LinkageError e) {
            // present in the JVM but not visible to this bundle (the framework does not export it)
            return Optional.empty();
        }
    }
}
