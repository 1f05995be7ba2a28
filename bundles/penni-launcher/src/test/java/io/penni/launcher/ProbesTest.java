package io.penni.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProbesTest {

    @Test
    void anExternalKafkaThatDoesNotAnswerIsOneLineNamingAddressAndSource() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        String bootstrap = "127.0.0.1:" + port;
        LaunchException e = assertThrows(LaunchException.class, () -> Probes.requireKafka(bootstrap, Map.of(),
                Duration.ofSeconds(3), "PENNI_KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals(LaunchException.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("cannot reach Kafka at " + bootstrap + " (PENNI_KAFKA_BOOTSTRAP_SERVERS): "),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
