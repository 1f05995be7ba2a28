/** The one-process run of a compression request inside the container; exports nothing. */
package io.penni.local.internal;
