package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaTargetTest {

    @TempDir
    Path base;

    private void serverFile(long pid, String kafka) throws Exception {
        Files.createDirectories(base.resolve("var"));
        Files.writeString(base.resolve(KafkaTarget.SERVER_FILE), "{\"pid\":" + pid + ",\"kafka\":\"" + kafka
                + "\",\"metrics\":\"http://127.0.0.1:8181/metrics\"}\n");
    }

    private void kafkaConfig(String text) throws Exception {
        Files.createDirectories(base.resolve("runtime-config"));
        Files.writeString(base.resolve(KafkaTarget.KAFKA_CONFIG), text);
    }

    private static long thisProcess() {
        return ProcessHandle.current().pid();
    }

    @Test
    void theOptionWinsOverEverythingElse() throws Exception {
        serverFile(thisProcess(), "server:1");
        KafkaTarget t = KafkaTarget.resolve(Optional.of("option:1"), Map.of(KafkaTarget.BOOTSTRAP_ENV, "env:1"), base);
        assertEquals("option:1", t.bootstrap());
        assertEquals("--bootstrap", t.source());
    }

    @Test
    void theEnvironmentWinsOverTheServerFile() throws Exception {
        serverFile(thisProcess(), "server:1");
        KafkaTarget t = KafkaTarget.resolve(Optional.empty(), Map.of(KafkaTarget.BOOTSTRAP_ENV, "env:1"), base);
        assertEquals("env:1", t.bootstrap());
        assertEquals("PENNI_KAFKA_BOOTSTRAP_SERVERS", t.source());
    }

    @Test
    void aRunningServersFileNamesItsKafka() throws Exception {
        serverFile(thisProcess(), "127.0.0.1:19092");
        kafkaConfig("bootstrap.servers=cluster:9092\n");
        KafkaTarget t = KafkaTarget.resolve(Optional.empty(), Map.of(), base);
        assertEquals("127.0.0.1:19092", t.bootstrap());
        assertEquals("var/server.json", t.source());
    }

    @Test
    void theFileOfAServerThatNoLongerRunsIsIgnored() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        serverFile(ended.pid(), "127.0.0.1:19092");
        KafkaTarget t = KafkaTarget.resolve(Optional.empty(), Map.of(), base);
        assertEquals(KafkaTarget.DEFAULT_BOOTSTRAP, t.bootstrap());
        assertEquals("the default", t.source());
    }

    @Test
    void anExternalClusterInTheServersConfigurationIsUsedWhenNoServerRuns() throws Exception {
        kafkaConfig("bootstrap.servers=kafka1:9092,kafka2:9092\n");
        KafkaTarget t = KafkaTarget.resolve(Optional.empty(), Map.of(), base);
        assertEquals("kafka1:9092,kafka2:9092", t.bootstrap());
        assertEquals("runtime-config/penni.kafka.cfg: bootstrap.servers", t.source());
    }

    @Test
    void withNothingConfiguredTheEmbeddedBrokersDefaultAddressIsUsed() {
        KafkaTarget t = KafkaTarget.resolve(Optional.empty(), Map.of(KafkaTarget.BOOTSTRAP_ENV, " "), base);
        assertEquals("127.0.0.1:9092", t.bootstrap());
    }

    @Test
    void clientSettingsOfTheServersConfigurationArePassedOnButItsOwnKeysAreNot() throws Exception {
        kafkaConfig("""
                bootstrap.servers=
                embedded.port=9092
                topic.partitions=4
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                """);
        KafkaTarget t = KafkaTarget.resolve(Optional.empty(), Map.of(), base);
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"), t.clientProperties());
    }
}
