/**
 * ONNX files in and out of the network IR. The ONNX messages themselves are generated protobuf classes kept
 * private to this bundle.
 */
@Export
@Version("1.0.0")
package io.penni.onnx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
