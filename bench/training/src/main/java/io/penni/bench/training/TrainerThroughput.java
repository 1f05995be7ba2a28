package io.penni.bench.training;

import java.nio.file.Path;
import java.util.Locale;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;
import io.penni.api.model.Model;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.DecompositionSettings;
import io.penni.model.Architectures;

/**
 * One measurement of the trainer for {@code bench/training/vs-torch}: a warm-up epoch, then one measured
 * epoch of the real training loop over the first IMAGES Fashion-MNIST training images at batch 128, for one
 * network, dense or decomposed (d = 5). Prints one JSON line, as {@code torch_throughput.py} does for PyTorch.
 */
public final class TrainerThroughput {

    private TrainerThroughput() {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code ARCH dense|decomposed [images, default 5120]}
     * @throws Exception when the data cannot be read
     */
    public static void main(String[] args) throws Exception {
        String arch = args[0];
        String variant = args[1];
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 5120;
        DataSplit data = DatasetLoader.load(new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, images,
                256), Path.of("/usr/share/datasets"));
        Normalization normalization = Normalization.of(data.train());
        Model model = Architectures.create(arch, 1);
        if (variant.equals("decomposed")) {
            model = BasisDecomposer.decompose(model, DecompositionSettings.paper()).model();
        } else if (!variant.equals("dense")) {
            throw new IllegalArgumentException("variant must be dense or decomposed, not " + variant);
        }
        ThroughputBenchmark.samediff(model, data, normalization, 1);
        double perSecond = ThroughputBenchmark.samediff(model, data, normalization, 2);
        System.out.printf(Locale.ROOT, "{\"framework\": \"penni-trainer\", \"arch\": \"%s\", \"variant\": \"%s\", "
                + "\"images\": %d, \"imagesPerSecond\": %.3f}%n", arch, variant, images, perSecond);
    }
}
