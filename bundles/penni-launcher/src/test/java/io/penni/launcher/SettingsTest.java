package io.penni.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path base;
    Path dist;

    @BeforeEach
    void layout() throws IOException {
        Files.createDirectories(base.resolve("runtime-config"));
        dist = Files.createDirectories(base.resolve("dist/features")).getParent();
    }

    @Test
    void defaultsBindToLoopbackAndRunTheEmbeddedBroker() {
        Settings s = Settings.load(base, dist, Map.of());
        assertEquals(Optional.empty(), s.kafka().external());
        assertEquals("127.0.0.1:9092", s.kafka().bootstrapServers());
        assertEquals("http://127.0.0.1:8181/metrics", s.http().metricsUrl());
        assertEquals(base.resolve("var/kafka"), s.kafka().dataDir());
        assertEquals(8L << 30, s.maxOffHeapBytes());
    }

    @Test
    void aConfiguredClusterReplacesTheEmbeddedBrokerAndSecuritySettingsPassThrough() throws IOException {
        cfg("penni.kafka.cfg", "bootstrap.servers=k1:9093\nsecurity.protocol=SASL_SSL\nembedded.port=9092\n");
        Settings s = Settings.load(base, dist, Map.of());
        assertEquals(Optional.of("k1:9093"), s.kafka().external());
        assertEquals(Map.of("security.protocol", "SASL_SSL"), s.kafka().clientProperties());
        assertTrue(s.kafka().externalSource().contains("runtime-config/penni.kafka.cfg"));
    }

    @Test
    void theEnvironmentOverridesTheFile() throws IOException {
        cfg("penni.kafka.cfg", "bootstrap.servers=k1:9093\n");
        Settings s = Settings.load(base, dist, Map.of("PENNI_KAFKA_BOOTSTRAP_SERVERS", "k2:9092"));
        assertEquals(Optional.of("k2:9092"), s.kafka().external());
        assertEquals("PENNI_KAFKA_BOOTSTRAP_SERVERS", s.kafka().externalSource());
    }

    @Test
    void badValuesAreOneLineNamingFileKeyAndValue() throws IOException {
        cfg("org.apache.felix.http.cfg", "org.osgi.service.http.port=99999\n");
        assertProblem("runtime-config/org.apache.felix.http.cfg: org.osgi.service.http.port=99999 is not a TCP port");
        cfg("org.apache.felix.http.cfg", "org.osgi.service.http.port=80a\n");
        assertProblem("org.osgi.service.http.port=80a is not a TCP port");
        cfg("org.apache.felix.http.cfg", "");
        cfg("penni.kafka.cfg", "embedded.port=9092\nembedded.controller.port=9092\n");
        assertProblem("embedded.controller.port=9092 is the same as embedded.port");
        cfg("penni.kafka.cfg", "embedded.host=no-such-host.invalid\n");
        assertProblem("embedded.host=no-such-host.invalid is not a host name");
        cfg("penni.kafka.cfg", "");
        cfg("launcher.properties", "penni.offheap.max=lots\n");
        assertProblem("runtime-config/launcher.properties: penni.offheap.max=lots is not a size");
    }

    @Test
    void sizesTakeUnitSuffixes() throws IOException {
        cfg("launcher.properties", "penni.offheap.max=512m\npenni.offheap.physical.max=2G\n");
        Settings s = Settings.load(base, dist, Map.of());
        assertEquals(512L << 20, s.maxOffHeapBytes());
        assertEquals(2L << 30, s.maxPhysicalBytes());
    }

    @Test
    void aMissingDistributionSaysHowToBuildIt() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> Settings.load(base, base.resolve("nowhere"), Map.of()));
        assertTrue(e.getMessage().contains("mvn"), e.getMessage());
        assertEquals(LaunchException.CONFIG, e.exitCode());
    }

    private void assertProblem(String expected) {
        LaunchException e = assertThrows(LaunchException.class, () -> Settings.load(base, dist, Map.of()));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
        assertEquals(LaunchException.CONFIG, e.exitCode());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    private void cfg(String name, String content) throws IOException {
        Files.writeString(base.resolve("runtime-config").resolve(name), content);
    }
}
