package io.penni.workflow.internal;

import io.penni.api.stage.CompressionStage;

/**
 * A stage service present in this container.
 *
 * @param name the stage's name
 * @param stage the service
 * @param training whether it counts against the training concurrency limit
 */
record StageBinding(String name, CompressionStage stage, boolean training) {
}
