package io.penni.bench.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeBuildTest {

    @Test
    void extensionIsWhatFollowsThePlatform() {
        assertEquals("-onednn-avx2", new NativeBuild("linux-x86_64-onednn-avx2").extension());
    }

    @Test
    void plainBuildHasAnEmptyExtension() {
        assertEquals("", new NativeBuild("linux-x86_64").extension());
    }

    @Test
    void simdLevelIsReadFromTheClassifier() {
        assertEquals(NativeBuild.Simd.GENERIC, new NativeBuild("linux-x86_64-onednn").simd());
        assertEquals(NativeBuild.Simd.AVX2, new NativeBuild("linux-x86_64-avx2").simd());
        assertEquals(NativeBuild.Simd.AVX512, new NativeBuild("linux-x86_64-onednn-avx512").simd());
    }

    @Test
    void onlyOnednnClassifiersExpectOnednn() {
        assertTrue(new NativeBuild("linux-x86_64-onednn-avx512").expectsOnednn());
        assertFalse(new NativeBuild("linux-x86_64-avx512").expectsOnednn());
    }

    @Test
    void avx512BuildsAreNotSafeAsDefault() {
        assertFalse(new NativeBuild("linux-x86_64-avx512").safeAsDefault());
        assertTrue(new NativeBuild("linux-x86_64-onednn-avx2").safeAsDefault());
    }

    @Test
    void classifierForAnotherPlatformIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NativeBuild("macosx-arm64"));
        assertTrue(e.getMessage().contains("macosx-arm64"), e.getMessage());
    }
}
