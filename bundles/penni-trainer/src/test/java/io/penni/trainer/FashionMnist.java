package io.penni.trainer;

import java.nio.file.Path;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;

/** Subsets of the real Fashion-MNIST (Debian package dataset-fashion-mnist), for tests. */
final class FashionMnist {
    static final Path ROOT = Path.of("/usr/share/datasets");

    private FashionMnist() {
    }

    static DataSplit load(int train, int test) {
        return DatasetLoader.load(new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, train, test),
                ROOT);
    }
}
