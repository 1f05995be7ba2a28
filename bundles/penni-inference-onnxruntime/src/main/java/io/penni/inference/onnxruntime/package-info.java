/**
 * ONNX Runtime as an inference backend: {@link io.penni.inference.onnxruntime.OrtEngine} exports a model to ONNX in
 * memory and runs it with ONNX Runtime for Java, the runtime users deploy and the dense yardstick compressed models
 * are measured against.
 */
@Export
@Version("1.0.0")
package io.penni.inference.onnxruntime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
