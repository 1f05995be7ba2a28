package io.penni.strategies.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Serves the pruning strategies registered now at {@code /penni/strategies}, as JSON: {@code default} (what a
 * request that names none gets: the prune stage's configured {@code default.strategy}, else the highest-ranked)
 * and {@code strategies}, in the order the prune stage prefers them, each with its name, description, bundle
 * symbolic name and version, {@code service.ranking}, {@code service.id} and configured parameters.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/penni/strategies")
@HttpWhiteboardServletName("penni-strategies")
public final class StrategiesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_STRATEGY = "default.strategy";

    @Reference(service = PruningStrategy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + PruningStrategy.NAME + "=*)")
    private transient volatile List<ComponentServiceObjects<PruningStrategy>> strategies;

    // the prune stage's service properties carry its configuration, default.strategy included
    @Reference(service = CompressionStage.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + CompressionStage.STAGE + "=prune)")
    private transient volatile Map<String, Object> pruneStage;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<Map<String, Object>> listed = new ArrayList<>();
        for (ComponentServiceObjects<PruningStrategy> handle : strategies) {
            describe(handle).ifPresent(listed::add);
        }
        listed.sort(Comparator.comparingInt((Map<String, Object> s) -> (Integer) s.get("ranking")).reversed()
                .thenComparingLong(s -> (Long) s.get("serviceId")));
        Map<String, Object> prune = pruneStage;
        Object configured = prune == null ? null : prune.get(DEFAULT_STRATEGY);
        String defaultName = configured instanceof String c && !c.isBlank() ? c.trim()
                : listed.isEmpty() ? "" : (String) listed.get(0).get("name");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("default", defaultName);
        body.put("strategies", listed);
        response.setContentType("application/json; charset=utf-8");
        response.setStatus(HttpServletResponse.SC_OK);
        JSON.writerWithDefaultPrettyPrinter().writeValue(response.getOutputStream(), body);
    }

    /** One strategy's entry, or empty when it went away while the list was being made. */
    private static Optional<Map<String, Object>> describe(ComponentServiceObjects<PruningStrategy> handle) {
        ServiceReference<PruningStrategy> reference = handle.getServiceReference();
        Bundle bundle = reference.getBundle();
        PruningStrategy strategy;
        try {
            strategy = handle.getService();
        } catch (IllegalStateException e) {
            strategy = null;
        }
        if (bundle == null || strategy == null || !(reference.getProperty(PruningStrategy.NAME) instanceof String name)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.put("description", String.valueOf(reference.getProperty(PruningStrategy.DESCRIPTION)));
            entry.put("bundle", bundle.getSymbolicName());
            entry.put("version", bundle.getVersion().toString());
            entry.put("ranking", reference.getProperty(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0);
            entry.put("serviceId", reference.getProperty(Constants.SERVICE_ID));
            entry.put("parameters", new TreeMap<>(strategy.parameters()));
            return Optional.of(entry);
        } finally {
            try {
                handle.ungetService(strategy);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // unregistered meanwhile: SCR has released it
            }
        }
    }
}
