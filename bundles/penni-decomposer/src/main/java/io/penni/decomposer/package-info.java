/**
 * PENNI's decomposition: {@link io.penni.decomposer.BasisDecomposer} replaces each k×k convolution by d shared
 * basis kernels and per-kernel coefficients, the optimal rank-d approximation of its kernels.
 */
@Export
@Version("2.0.0")
package io.penni.decomposer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
