package io.penni.pipeline;

import java.util.Map;

import io.penni.api.artifact.ArtifactRef;

/**
 * A finished job's report as stored.
 *
 * @param artifacts {@code report} (JSON), {@code report.md}, {@code learning-curves} (CSV)
 * @param headline the figures a user looks at first (accuracies, params and MACs before and after)
 * @param oneLine the headline in one line
 */
public record JobReport(Map<String, ArtifactRef> artifacts, Map<String, Object> headline, String oneLine) {
    /** Copies the maps. */
    public JobReport {
        artifacts = Map.copyOf(artifacts);
        headline = Map.copyOf(headline);
    }
}
