package io.penni.launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The launcher's own embedded broker ({@link EmbeddedKafka}, package-private there) for other modules' tests (the
 * workflow's stage-runner tests, the CLI's Kafka commands): the broker the server runs, on the ports and in the
 * folder a test gives it.
 */
public final class LauncherBroker {

    private LauncherBroker() {
    }

    /**
     * Formats the folder and starts a KRaft broker (combined broker and controller) on 127.0.0.1.
     *
     * @param data an empty folder for its log
     * @param port its listener port
     * @param controllerPort its controller port
     * @return the running broker; closing it stops it and waits until it has stopped
     */
    public static AutoCloseable start(Path data, int port, int controllerPort) {
        return EmbeddedKafka.start(new Settings.KafkaSettings(Optional.empty(), "127.0.0.1", port, controllerPort, data,
                Map.of(), "test", "test"));
    }
}
