package io.penni.model;

import java.util.Arrays;
import java.util.Optional;

/** The safetensors element types this project reads and writes. */
public enum DType {
    /** 32-bit IEEE float, little-endian: weights. */
    F32(4),
    /** Unsigned byte. */
    U8(1),
    /** Boolean, one byte that is 0 or 1: pruning masks. */
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** @return bytes per element */
    public int bytes() {
        return bytes;
    }

    /**
     * The type a safetensors header names.
     *
     * @param name e.g. {@code F32}
     * @return the type, or empty for one this project does not support
     */
    public static Optional<DType> of(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }
}
