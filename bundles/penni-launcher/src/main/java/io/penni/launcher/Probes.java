package io.penni.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/** Checks the launcher makes before and after starting: free ports, a reachable Kafka, a live endpoint. */
final class Probes {

    private Probes() {
    }

    /**
     * Fails when a port cannot be bound.
     *
     * @param host the address
     * @param port the port
     * @param what whose port it is and where it is configured, for the message
     */
    static void requireFreePort(String host, int port, String what) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new LaunchException(LaunchException.CONFIG, host + ":" + port + " is already in use (" + what
                    + "); stop what uses it or choose another port");
        }
    }

    /**
     * Waits until a Kafka cluster answers a metadata request.
     *
     * @param bootstrap the bootstrap servers
     * @param clientProperties further client properties (security)
     * @param timeout how long to wait
     * @return the cluster's id
     * @throws LaunchException when it does not answer in time
     */
    static String requireKafka(String bootstrap, Map<String, String> clientProperties, Duration timeout,
            String where) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (Admin admin = Admin.create(props)) {
            return admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(bootstrap, where, "no broker answered within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw unreachable(bootstrap, where, e.getCause().getMessage());
        } catch (KafkaException | IllegalArgumentException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw unreachable(bootstrap, where, root.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(bootstrap, where, "interrupted");
        }
    }

    private static LaunchException unreachable(String bootstrap, String where, String reason) {
        return new LaunchException(LaunchException.UNREACHABLE,
                "cannot reach Kafka at " + bootstrap + " (" + where + "): " + reason);
    }

    /**
     * Waits until a URL answers 200.
     *
     * @param url the URL
     * @param timeout how long to wait
     * @throws LaunchException when it does not in time
     */
    static void requireHttp(String url, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode();
            } catch (IOException e) {
                last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new LaunchException(LaunchException.STARTUP, url + " did not answer within " + timeout.toSeconds()
                + " s (" + last + "); see var/log/penni.log");
    }

    /**
     * Asks a readiness endpoint until it answers ready or the time is up (parts of the server, the dashboard's
     * reading of the job table say, become ready a little after the HTTP port answers).
     *
     * @param url the endpoint, e.g. {@code http://127.0.0.1:8181/health/ready}
     * @param timeout how long to wait at most
     * @return its last answer, as {@link #readiness(HttpClient, String)} gives it
     */
    static String awaitReadiness(String url, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String answer = readiness(client, url);
        while (!answer.startsWith("yes") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
            answer = readiness(client, url);
        }
        return answer;
    }

    /**
     * Asks a readiness endpoint once.
     *
     * @param client the client to ask with
     * @param url the endpoint, e.g. {@code http://127.0.0.1:8181/health/ready}
     * @return its answer in one line: {@code yes}, or {@code no: <its body>}, or why it could not be asked
     */
    private static String readiness(HttpClient client, String url) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? "yes (" + url + ")" : "no: " + response.body() + " (" + url + ")";
        } catch (IOException e) {
            return "unknown: " + url + " did not answer (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown: interrupted";
        }
    }
}
