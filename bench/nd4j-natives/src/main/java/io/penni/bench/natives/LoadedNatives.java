package io.penni.bench.natives;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.bytedeco.javacpp.Loader;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * What ND4J actually loaded, read back after its backend started: the native library files JavaCPP
 * loaded (it silently falls back to the plain build's libraries when the build asked for is missing), ND4J's build information (the text its log prints, with HAVE_ONEDNN for oneDNN builds) and
 * the SIMD level the binary reports.
 *
 * @param libraries every native library JavaCPP loaded (ND4J's, OpenBLAS's, its own), name to file
 * @param buildInfo libnd4j's build information
 * @param binaryLevel libnd4j's {@code binaryLevel()}: the SIMD level it was compiled for
 * @param optimalLevel libnd4j's {@code optimalLevel()}: the best level this CPU supports
 */
public record LoadedNatives(Map<String, String> libraries, String buildInfo, int binaryLevel, int optimalLevel) {

    /** Copies the map so the record stays immutable. */
    public LoadedNatives {
        libraries = Map.copyOf(libraries);
    }

    /**
     * Reads what the running ND4J backend loaded; call after ND4J's first use.
     *
     * @return the evidence
     */
    public static LoadedNatives inspect() {
        // all of them: which jar OpenBLAS and JavaCPP's own libraries came from is evidence too
        Map<String, String> libraries = new TreeMap<>(Loader.getLoadedLibraries());
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        return new LoadedNatives(libraries, ops.buildInfo().strip(), ops.binaryLevel(), ops.optimalLevel());
    }

    /** @return whether the build information names oneDNN */
    public boolean hasOnednn() {
        return buildInfo.contains("HAVE_ONEDNN");
    }

    /**
     * Compares what loaded with what was asked for.
     *
     * @param asked the build the JVM was started for
     * @return every way the loaded natives differ from {@code asked}; empty when they are that build
     */
    public List<String> mismatches(NativeBuild asked) {
        List<String> problems = new ArrayList<>();
        String folder = "/" + asked.classifier() + "/";
        Optional<String> jni = Optional.ofNullable(libraries.get("jnind4jcpu"));
        if (jni.isEmpty()) {
            problems.add("JavaCPP loaded no jnind4jcpu library (loaded: " + libraries + ")");
        } else if (!jni.get().contains(folder)) {
            problems.add("jnind4jcpu came from " + jni.get() + ", not from a " + folder + " folder");
        }
        if (asked.expectsOnednn() != hasOnednn()) {
            problems.add("build information " + (hasOnednn() ? "names" : "lacks") + " HAVE_ONEDNN, but "
                    + asked.classifier() + (asked.expectsOnednn() ? " links" : " does not link") + " oneDNN");
        }
        if (binaryLevel != expectedBinaryLevel(asked.simd())) {
            problems.add("binary level " + binaryLevel + ", but " + asked.classifier() + " is built for "
                    + asked.simd() + " (level " + expectedBinaryLevel(asked.simd()) + ")");
        }
        return List.copyOf(problems);
    }

    /** libnd4j's numbering of its SIMD levels, as its {@code binaryLevel()} reports them. */
    static int expectedBinaryLevel(NativeBuild.Simd simd) {
        return switch (simd) {
            case GENERIC -> 1;
            case AVX2 -> 2;
            case AVX512 -> 3;
        };
    }
}
