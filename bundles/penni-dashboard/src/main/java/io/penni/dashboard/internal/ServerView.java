package io.penni.dashboard.internal;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.penni.api.health.ReadinessCheck;

/**
 * What the Server page shows: where Kafka is and whether a broker answers now, the readiness checks, the bundles
 * and their states, jobs by outcome, and memory against its caps as the metrics bundle's meters say (process
 * resident memory, heap, ND4J's off-heap).
 */
final class ServerView implements AutoCloseable {

    private static final long BROKER_CHECK_MILLIS = 3000;

    private final BundleContext context;
    private final Map<String, Object> clientProperties;
    private final JobBoard board;
    private Admin admin;
    private long checkedAt;
    private Map<String, Object> broker = Map.of();

    ServerView(BundleContext context, Map<String, Object> clientProperties, JobBoard board) {
        this.context = context;
        this.clientProperties = Map.copyOf(clientProperties);
        this.board = board;
    }

    /**
     * @param checks the readiness checks registered now, by name
     * @param registry the meter registry, if the metrics bundle runs
     * @param submissionsProblem why submissions cannot be taken now, if so
     * @return the page's data
     */
    Map<String, Object> view(Map<String, ReadinessCheck> checks, Optional<MeterRegistry> registry,
            Optional<String> submissionsProblem) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kafka", clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        out.put("broker", broker());
        List<Map<String, Object>> readiness = new ArrayList<>();
        checks.forEach((name, check) -> {
            Optional<String> why = check.notReady();
            readiness.add(Map.of("name", name, "ready", why.isEmpty(), "reason", why.orElse("")));
        });
        submissionsProblem.ifPresent(p -> readiness.add(Map.of("name", "submissions", "ready", false, "reason", p)));
        boolean brokerUp = Boolean.TRUE.equals(broker().get("reachable"));
        out.put("ready", brokerUp && readiness.stream().allMatch(r -> Boolean.TRUE.equals(r.get("ready"))));
        out.put("readiness", readiness);
        out.put("jobs", board.byStatus());
        out.put("memory", memory(registry));
        out.put("uptimeSeconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        out.put("bundles", bundles());
        return out;
    }

    /** Whether a broker answers, asked at most every few seconds (the page polls). */
    private synchronized Map<String, Object> broker() {
        long now = System.currentTimeMillis();
        if (now - checkedAt < BROKER_CHECK_MILLIS) {
            return broker;
        }
        checkedAt = now;
        Map<String, Object> b = new LinkedHashMap<>();
        try {
            if (admin == null) {
                Map<String, Object> p = new LinkedHashMap<>(clientProperties);
                p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
                p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
                admin = io.penni.workflow.KafkaClassLoading.withKafkaLoader(() -> Admin.create(p));
            }
            long started = System.nanoTime();
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes()
                    .get(2500, TimeUnit.MILLISECONDS).size();
            b.put("reachable", true);
            b.put("nodes", nodes);
            b.put("millis", Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            b.put("reachable", false);
            b.put("reason", e instanceof TimeoutException ? "no broker answered within 2.5 s"
                    : String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            b.put("reachable", false);
            b.put("reason", "interrupted");
        }
        broker = b;
        return b;
    }

    private static Map<String, Object> memory(Optional<MeterRegistry> registry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rss", pair(registry, "penni.process.physical", "penni.process.physical.max", null));
        m.put("heap", pair(registry, "jvm.memory.used", "jvm.memory.max", "heap"));
        m.put("offHeap", pair(registry, "penni.nd4j.offheap.used", "penni.nd4j.offheap.max", null));
        return m;
    }

    /** A meter's value and its cap's, summed over the meters of that name (heap: its pools), null when absent. */
    private static Map<String, Object> pair(Optional<MeterRegistry> registry, String used, String max, String area) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("used", sum(registry, used, area));
        p.put("max", sum(registry, max, area));
        p.put("meter", used);
        return p;
    }

    private static Double sum(Optional<MeterRegistry> registry, String name, String area) {
        if (registry.isEmpty()) {
            return null;
        }
        var search = registry.get().find(name);
        if (area != null) {
            search = search.tag("area", area);
        }
        double total = 0;
        boolean any = false;
        for (Gauge g : search.gauges()) {
            double v = g.value();
            if (Double.isFinite(v) && v >= 0) {
                total += v;
                any = true;
            }
        }
        return any ? total : null;
    }

    private List<Map<String, Object>> bundles() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", b.getBundleId());
            entry.put("name", b.getSymbolicName());
            entry.put("version", b.getVersion().toString());
            entry.put("state", state(b.getState()));
            entry.put("location", b.getLocation().startsWith("file:") && b.getLocation().contains("/deploy/")
                    ? "deploy" : "");
            out.add(entry);
        }
        return out;
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
