package io.penni.systemtest;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.penni.launcher.LauncherBroker;

/**
 * The launcher's KRaft broker alone in a process of its own, for tests that must stop a cluster under a running
 * server: {@code StandaloneBroker DATA PORT CONTROLLER_PORT}. It prints "broker ready" once it answers and stops
 * on SIGTERM; started again on the same folder, it comes back with its topics, offsets and transactions.
 */
public final class StandaloneBroker {

    private StandaloneBroker() {
    }

    /**
     * @param args the data folder, the listener port, the controller port
     * @throws Exception when the broker cannot start
     */
    public static void main(String[] args) throws Exception {
        AutoCloseable broker = LauncherBroker.start(Path.of(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (Exception e) {
                System.out.println("broker stop failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "broker-stop"));
        System.out.println("broker ready");
        stopped.await();
    }
}
