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

    @Test
    void theHttpVariablesSetHostAndPortWhenTheFileLeavesThemOut() throws IOException {
        cfg("org.apache.felix.http.cfg", "org.apache.felix.http.enable=true\n");
        Settings s = Settings.load(base, dist, Map.of("PENNI_HTTP_HOST", "0.0.0.0", "PENNI_HTTP_PORT", "9181"));
        assertEquals("0.0.0.0", s.http().host());
        assertEquals(9181, s.http().port());
        assertEquals("PENNI_HTTP_PORT", s.http().source());
    }

    @Test
    void blankHttpVariablesAreIgnored() throws IOException {
        cfg("org.apache.felix.http.cfg", "org.osgi.service.http.port=8282\n");
        Settings s = Settings.load(base, dist, Map.of("PENNI_HTTP_HOST", " ", "PENNI_HTTP_PORT", ""));
        assertEquals("http://127.0.0.1:8282/metrics", s.http().metricsUrl());
        assertEquals("runtime-config/org.apache.felix.http.cfg: org.osgi.service.http.port", s.http().source());
    }

    @Test
    void aBadHttpPortVariableIsOneLineNamingTheVariable() {
        assertProblem(Map.of("PENNI_HTTP_PORT", "99999"), "PENNI_HTTP_PORT=99999 is not a TCP port (1-65535)");
    }

    @Test
    void aBadHttpHostVariableIsOneLineNamingTheVariable() {
        assertProblem(Map.of("PENNI_HTTP_HOST", "no-such-host.invalid"),
                "PENNI_HTTP_HOST=no-such-host.invalid is not a host name");
    }

    @Test
    void anHttpVariableThatDisagreesWithTheFileIsRefused() throws IOException {
        // Felix HTTP takes the file's value over the launcher's, so the variable could never take effect
        cfg("org.apache.felix.http.cfg", "org.apache.felix.http.host=127.0.0.1\n");
        assertProblem(Map.of("PENNI_HTTP_HOST", "0.0.0.0"), "PENNI_HTTP_HOST=0.0.0.0 disagrees with "
                + "org.apache.felix.http.host=127.0.0.1 in runtime-config/org.apache.felix.http.cfg");
    }

    @Test
    void anHttpVariableThatAgreesWithTheFileIsAccepted() throws IOException {
        cfg("org.apache.felix.http.cfg", "org.osgi.service.http.port=9181\n");
        assertEquals(9181, Settings.load(base, dist, Map.of("PENNI_HTTP_PORT", "9181")).http().port());
    }

    @Test
    void theShippedConfigurationLetsTheEnvironmentChooseTheHttpAddress() throws IOException {
        // the Docker image relies on this: runtime-config/ as shipped plus PENNI_HTTP_HOST=0.0.0.0
        Path shipped = Path.of("../../runtime-config").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(shipped.resolve("org.apache.felix.http.cfg")), shipped.toString());
        try (var files = Files.list(shipped)) {
            for (Path file : files.toList()) {
                Files.copy(file, base.resolve("runtime-config").resolve(file.getFileName()));
            }
        }
        Settings s = Settings.load(base, dist, Map.of("PENNI_HTTP_HOST", "0.0.0.0"));
        assertEquals("0.0.0.0", s.http().host());
        assertEquals(8181, s.http().port());
    }

    @Test
    void aWildcardHostIsCalledThroughTheLoopback() {
        assertEquals("http://127.0.0.1:8181/metrics", new Settings.HttpSettings("0.0.0.0", 8181, "t").metricsUrl());
        assertEquals("http://127.0.0.1:8181/metrics", new Settings.HttpSettings("::", 8181, "t").metricsUrl());
    }

    @Test
    void anIpv6HostIsBracketedInTheUrl() {
        assertEquals("http://[::1]:8181/metrics", new Settings.HttpSettings("::1", 8181, "t").metricsUrl());
    }

    private void assertProblem(Map<String, String> environment, String expected) {
        LaunchException e = assertThrows(LaunchException.class, () -> Settings.load(base, dist, environment));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
        assertEquals(LaunchException.CONFIG, e.exitCode());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    private void assertProblem(String expected) {
        assertProblem(Map.of(), expected);
    }

    private void cfg(String name, String content) throws IOException {
        Files.writeString(base.resolve("runtime-config").resolve(name), content);
    }
}
