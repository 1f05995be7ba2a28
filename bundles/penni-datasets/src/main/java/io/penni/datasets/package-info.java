/**
 * Image data sets in memory for training and evaluation: loading Fashion-MNIST / MNIST (IDX), CIFAR-10 (binary)
 * and image folders from under a data root ({@link io.penni.datasets.DatasetLoader}), per-channel normalisation
 * ({@link io.penni.datasets.Normalization}) and seeded, shuffled, augmented batches
 * ({@link io.penni.datasets.Batches}).
 */
@Export
@Version("1.1.0")
package io.penni.datasets;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
