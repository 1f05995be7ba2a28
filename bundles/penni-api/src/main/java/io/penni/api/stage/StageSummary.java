package io.penni.api.stage;

import java.util.Map;

/**
 * What a completed stage reports, typed per kind of stage so that the report, the events and the metrics read
 * fields, never string keys. Third-party stages that fit none of the built-in kinds report an {@link OtherSummary}.
 */
public sealed interface StageSummary
        permits TrainingSummary, DecompositionSummary, PruningSummary, ShrinkingSummary, EvaluationSummary,
        OtherSummary {

    /**
     * The summary's scalar figures (numbers, strings, booleans), by their JSON field names, without its per-layer
     * and per-epoch lists or nested tables; this is what a {@code stage.completed} event carries.
     *
     * @return the figures in a stable order
     */
    Map<String, Object> headline();
}
