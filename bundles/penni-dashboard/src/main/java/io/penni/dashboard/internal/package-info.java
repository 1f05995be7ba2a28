/** The dashboard at {@code /penni/} and the HTTP job API under {@code /penni/api/}; not exported. */
package io.penni.dashboard.internal;
