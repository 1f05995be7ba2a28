/**
 * The network IR in plain Java, for every stage and backend: {@link io.penni.model.NetworkShapes} validates a
 * graph and infers its shapes, {@link io.penni.model.ModelParameters} says which tensors a graph needs,
 * {@link io.penni.model.Architectures} builds the built-in networks, {@link io.penni.model.ModelFiles} reads
 * and writes model files (a JSON graph with safetensors weights, through {@link io.penni.model.GraphJson}
 * and {@link io.penni.model.SafeTensors}), {@link io.penni.model.ModelCounter} counts parameters, MACs and
 * activation memory, {@link io.penni.model.ModelSummary} prints them, and
 * {@link io.penni.model.ReferenceForward} is the plain, obviously correct forward pass that faster backends
 * are checked against. {@link io.penni.model.ModelRepositoryFolder} and {@link io.penni.model.ModelDeployment}
 * are the serving repository's layout and a served version's settings. Anything wrong with a model surfaces as a {@link io.penni.model.ModelException} whose
 * one-line message names the file, layer or tensor.
 */
@Export
@Version("1.4.0")
package io.penni.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
