/**
 * The ONNX writer: the network IR as an ONNX graph, layer by layer, with batch norms folded and decomposed
 * convolutions in factored or dense form. Private to the bundle.
 */
package io.penni.onnx.internal.export;
