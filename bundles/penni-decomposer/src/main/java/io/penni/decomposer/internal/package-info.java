/**
 * The decompose stage's component and the eigen-solver behind the decomposition; not exported.
 */
package io.penni.decomposer.internal;
