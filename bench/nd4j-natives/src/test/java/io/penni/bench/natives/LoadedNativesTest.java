package io.penni.bench.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LoadedNativesTest {

    private static final String ONEDNN_INFO = "GCC: \"7.5.0\"\nHAVE_FLATBUFFERS\nHAVE_ONEDNN\nHAVE_OPENBLAS";
    private static final String PLAIN_INFO = "GCC: \"7.5.0\"\nHAVE_FLATBUFFERS\nHAVE_OPENBLAS";

    private static LoadedNatives loadedFrom(String folder, String buildInfo, int binaryLevel) {
        return new LoadedNatives(Map.of("jnind4jcpu", "/cache/x.jar/org/nd4j/bindings/" + folder + "/libjnind4jcpu.so"),
                buildInfo, binaryLevel, 3);
    }

    @Test
    void theBuildAskedForHasNoMismatch() {
        LoadedNatives loaded = loadedFrom("linux-x86_64-onednn-avx2", ONEDNN_INFO, 2);
        assertEquals(List.of(), loaded.mismatches(new NativeBuild("linux-x86_64-onednn-avx2")));
    }

    @Test
    void libraryFromAnotherBuildsFolderIsAMismatch() {
        LoadedNatives loaded = loadedFrom("linux-x86_64", PLAIN_INFO, 2);
        List<String> problems = loaded.mismatches(new NativeBuild("linux-x86_64-avx2"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("/linux-x86_64-avx2/"), problems.get(0));
    }

    @Test
    void missingOnednnInTheBuildInformationIsAMismatch() {
        LoadedNatives loaded = loadedFrom("linux-x86_64-onednn", PLAIN_INFO, 1);
        List<String> problems = loaded.mismatches(new NativeBuild("linux-x86_64-onednn"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("HAVE_ONEDNN"), problems.get(0));
    }

    @Test
    void wrongBinaryLevelIsAMismatch() {
        LoadedNatives loaded = loadedFrom("linux-x86_64-avx512", PLAIN_INFO, 2);
        List<String> problems = loaded.mismatches(new NativeBuild("linux-x86_64-avx512"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("binary level 2"), problems.get(0));
    }

    @Test
    void noNd4jLibraryLoadedIsAMismatch() {
        LoadedNatives loaded = new LoadedNatives(Map.of(), PLAIN_INFO, 1, 3);
        assertTrue(loaded.mismatches(new NativeBuild("linux-x86_64")).get(0).contains("no jnind4jcpu"));
    }
}
