/**
 * The paper's pictures of a job, drawn on the server as PNG with the JDK's image I/O (headless, no charting
 * library): {@link io.penni.model.figures.CoefficientPicture} (a decomposed layer's coefficient matrix, Fig. 1),
 * {@link io.penni.model.figures.KernelPicture} (reconstructed kernels beside the original's, Fig. 2),
 * {@link io.penni.model.figures.CurvesChart} (learning curves, Fig. 3), and
 * {@link io.penni.model.figures.JobFigures}, which draws all of a job's from its models and training history.
 */
@Export
@Version("1.0.0")
package io.penni.model.figures;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
