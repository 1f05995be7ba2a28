package io.penni.bench.natives;

import java.util.Locale;

/**
 * One nd4j-native classifier, e.g. {@code linux-x86_64-onednn-avx2}, and what it promises: whether it
 * links oneDNN and which SIMD level its binaries need.
 *
 * @param classifier the Maven classifier of the nd4j-native jar
 */
public record NativeBuild(String classifier) {

    /** The platform every measured build is for. */
    public static final String PLATFORM = "linux-x86_64";

    /** The vector instructions a build's binaries are compiled for, lowest first. */
    public enum Simd {
        /** Plain x86-64, runs anywhere. */
        GENERIC,
        /** Needs AVX2 (Haswell / Zen and later). */
        AVX2,
        /** Needs AVX-512 (Skylake-SP / Zen 4 and later); many machines with AVX2 lack it. */
        AVX512
    }

    /** Rejects a classifier for another platform. */
    public NativeBuild {
        if (!classifier.startsWith(PLATFORM)) {
            throw new IllegalArgumentException("native build '" + classifier + "': not a " + PLATFORM + " classifier");
        }
    }

    /**
     * @return the JavaCPP platform extension ({@code -onednn-avx2}, or empty for the plain build), the value
     *     of {@code org.bytedeco.javacpp.platform.extension} that makes JavaCPP load this build
     */
    public String extension() {
        return classifier.substring(PLATFORM.length());
    }

    /** @return whether this build links oneDNN, so ND4J's build information must say HAVE_ONEDNN */
    public boolean expectsOnednn() {
        return extension().contains("onednn");
    }

    /** @return the SIMD level the build's binaries need */
    public Simd simd() {
        String extension = extension().toLowerCase(Locale.ROOT);
        if (extension.contains("avx512")) {
            return Simd.AVX512;
        }
        return extension.contains("avx2") ? Simd.AVX2 : Simd.GENERIC;
    }

    /**
     * @return whether the build may be the project default: it must run on every x86-64 machine with AVX2,
     *     the project's floor; AVX-512 is not guaranteed there
     */
    public boolean safeAsDefault() {
        return simd() != Simd.AVX512;
    }
}
