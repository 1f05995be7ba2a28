/**
 * The {@code /penni/strategies} endpoint on the servlet whiteboard, which {@code bin/penni strategies} reads;
 * not exported.
 */
package io.penni.strategies.http.internal;
