package io.penni.nd4j.internal;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.compute.TensorRuntime;

/** The {@link TensorRuntime} of the ND4J CPU backend; memory figures come from JavaCPP. */
final class Nd4jTensorRuntime implements TensorRuntime {

    private final String nativeBuild;
    private final String backend;
    private final int threads;

    Nd4jTensorRuntime(String nativeBuild) {
        this.nativeBuild = nativeBuild;
        this.backend = Nd4j.getBackend().getClass().getSimpleName().replace("Backend", "");
        this.threads = Nd4j.getEnvironment().maxMasterThreads();
    }

    @Override
    public String backend() {
        return backend;
    }

    @Override
    public String nativeBuild() {
        return nativeBuild;
    }

    @Override
    public long maxOffHeapBytes() {
        return Pointer.maxBytes();
    }

    @Override
    public long maxPhysicalBytes() {
        return Pointer.maxPhysicalBytes();
    }

    @Override
    public long offHeapBytes() {
        return Pointer.totalBytes();
    }

    @Override
    public long physicalBytes() {
        return Pointer.physicalBytes();
    }

    @Override
    public int threads() {
        return threads;
    }
}
