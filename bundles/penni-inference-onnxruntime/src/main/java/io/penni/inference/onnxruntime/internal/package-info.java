/** The ONNX Runtime backend's service and loaded model. Private to the bundle. */
package io.penni.inference.onnxruntime.internal;
