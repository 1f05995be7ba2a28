/**
 * Training of IR models on ND4J SameDiff: the graph built from a model, the SGD optimizer with frozen and
 * masked parameters, the learning-rate schedule, the training loop with checkpoints, and evaluation.
 */
@Export
@Version("2.2.0")
package io.penni.trainer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
