/**
 * The network IR: a DAG of layers with named parameter tensors. Model files store the graph as JSON and
 * the parameters as safetensors; every stage and backend works on these types.
 */
@Export
@Version("3.0.0")
package io.penni.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
