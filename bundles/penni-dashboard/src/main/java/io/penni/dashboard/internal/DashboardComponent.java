package io.penni.dashboard.internal;

import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.health.ReadinessCheck;
import io.penni.api.intake.JobSubmissions;
import jakarta.servlet.Servlet;

/**
 * The dashboard: reads the job table and the events into a {@link JobBoard}, and registers the page
 * ({@code /penni/}) and the job API ({@code /penni/api/*}) on the servlet whiteboard. Runs only where the
 * workflow runs (it needs its {@link JobSubmissions}), so a {@code compress --local} container has none.
 * Kafka is found as the workflow finds it: {@code bootstrap.servers} of {@code penni.kafka}, else the launcher's
 * {@code penni.kafka.bootstrap.servers}; the cfg's client settings ({@code security.*}, {@code sasl.*},
 * {@code ssl.*}) pass through.
 */
@Component(immediate = true, configurationPid = {"penni.kafka", DashboardConfig.PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DashboardComponent {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardComponent.class);

    @Reference
    private JobSubmissions submissions;

    @Reference
    private ArtifactStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MeterRegistry registry;

    private final Map<String, ReadinessCheck> checks = new ConcurrentHashMap<>();

    private BoardFeed feed;
    private Thread feedThread;
    private EventStreams streams;
    private ServerView server;
    private ServiceRegistration<Servlet> page;
    private ServiceRegistration<ReadinessCheck> readiness;
    private ServiceRegistration<Servlet> api;

    @Activate
    void activate(DashboardConfig config, Map<String, Object> properties, BundleContext context) {
        Map<String, Object> client = new java.util.HashMap<>();
        properties.forEach((k, v) -> {
            if (v instanceof String s && (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl."))) {
                client.put(k, s);
            }
        });
        Object bootstrap = properties.get("bootstrap.servers");
        client.put("bootstrap.servers", bootstrap instanceof String s && !s.isBlank() ? s
                : Optional.ofNullable(context.getProperty("penni.kafka.bootstrap.servers")).orElse("127.0.0.1:9092"));
        JobBoard board = new JobBoard(Math.max(100, config.events_per_job()));
        streams = new EventStreams();
        board.listen(streams::changed);
        feed = new BoardFeed(client, board);
        feedThread = new Thread(feed, "penni-dashboard-feed");
        feedThread.setDaemon(true);
        feedThread.start();
        server = new ServerView(context, client, board);
        AccessGuard guard = new AccessGuard(config.access_token());
        JobsApiServlet apiServlet = new JobsApiServlet(board, streams, guard, submissions, store,
                () -> server.view(Map.copyOf(checks), Optional.ofNullable(registry), submissions.notReady()),
                feed::caughtUp, Math.max(1, config.max_body_bytes()));
        api = context.registerService(Servlet.class, apiServlet, servlet("penni-dashboard-api", "/penni/api/*", true));
        page = context.registerService(Servlet.class, new PageServlet(guard),
                servlet("penni-dashboard", new String[] {"/penni", "/penni/*"}, false));
        Hashtable<String, Object> part = new Hashtable<>();
        part.put(ReadinessCheck.NAME, "dashboard");
        // until the board has read the job table its answers are stale and submissions get 503: not ready
        readiness = context.registerService(ReadinessCheck.class, () -> feed.caughtUp() ? Optional.empty()
                : Optional.of("the dashboard is still reading the job table and events"), part);
        LOG.info("dashboard at /penni/ ({}); job API at /penni/api/jobs", guard.open()
                ? "clients beyond loopback with the access token" : "clients on this machine only");
    }

    @Deactivate
    void deactivate() {
        readiness.unregister();
        page.unregister();
        api.unregister();
        streams.close();
        feed.stop();
        try {
            feedThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }

    @Reference(service = ReadinessCheck.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addCheck(ReadinessCheck check, Map<String, Object> properties) {
        checks.put(String.valueOf(properties.getOrDefault(ReadinessCheck.NAME, "check-" + properties.get("service.id"))),
                check);
    }

    void removeCheck(ReadinessCheck check) {
        checks.values().remove(check);
    }

    private static Hashtable<String, Object> servlet(String name, Object pattern, boolean async) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME, name);
        p.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN, pattern);
        p.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED, async);
        return p;
    }
}
