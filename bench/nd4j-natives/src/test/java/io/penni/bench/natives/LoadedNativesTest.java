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

    /** Asserts that exactly one problem was found, and returns it. */
    private static String onlyProblem(LoadedNatives loaded, String classifier) {
        List<String> problems = loaded.mismatches(new NativeBuild(classifier));
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    @Test
    void theBuildAskedForHasNoMismatch() {
        LoadedNatives loaded = loadedFrom("linux-x86_64-onednn-avx2", ONEDNN_INFO, 2);
        assertEquals(List.of(), loaded.mismatches(new NativeBuild("linux-x86_64-onednn-avx2")));
    }

    @Test
    void libraryFromAnotherBuildsFolderIsAMismatch() {
        String problem = onlyProblem(loadedFrom("linux-x86_64", PLAIN_INFO, 2), "linux-x86_64-avx2");
        assertTrue(problem.contains("/linux-x86_64-avx2/"), problem);
    }

    @Test
    void missingOnednnInTheBuildInformationIsAMismatch() {
        String problem = onlyProblem(loadedFrom("linux-x86_64-onednn", PLAIN_INFO, 1), "linux-x86_64-onednn");
        assertTrue(problem.contains("HAVE_ONEDNN"), problem);
    }

    @Test
    void wrongBinaryLevelIsAMismatch() {
        String problem = onlyProblem(loadedFrom("linux-x86_64-avx512", PLAIN_INFO, 2), "linux-x86_64-avx512");
        assertTrue(problem.contains("binary level 2"), problem);
    }

    @Test
    void noNd4jLibraryLoadedIsAMismatch() {
        String problem = onlyProblem(new LoadedNatives(Map.of(), PLAIN_INFO, 1, 3), "linux-x86_64");
        assertTrue(problem.contains("no jnind4jcpu"), problem);
    }
}
