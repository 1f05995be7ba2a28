/**
 * The Open Inference Protocol endpoint, the watched model repository and the per-model dynamic batcher. Not
 * exported: the protocol is the interface.
 */
package io.penni.serving.internal;
