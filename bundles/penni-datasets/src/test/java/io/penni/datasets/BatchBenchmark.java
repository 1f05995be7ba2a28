package io.penni.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/**
 * The benchmark behind bench/datasets-batches/run (not a unit test): times loading Fashion-MNIST and making
 * every batch of several epochs, after warm-up epochs, and writes the figures as JSON.
 *
 * <p>Arguments: the JSON file to write, the data root holding {@code fashion-mnist/}, the epochs to time.
 */
public final class BatchBenchmark {

    private BatchBenchmark() {
    }

    /**
     * @param args output file, data root, timed epochs
     * @throws IOException when the output cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Path dataRoot = Path.of(args[1]);
        int epochs = Integer.parseInt(args[2]);
        List<String> results = new ArrayList<>();

        double[] loads = new double[3];
        DataSplit split = null;
        for (int i = 0; i < loads.length; i++) {
            long start = System.nanoTime();
            split = DatasetLoader.load(new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 0, 0),
                    dataRoot);
            loads[i] = Math.round((System.nanoTime() - start) / 1e5) / 10.0;
        }
        results.add(String.format(Locale.ROOT, "{\"case\": \"load fashion-mnist (gz, 60000+10000)\", \"runs_ms\": %s}",
                Arrays.toString(loads)));

        ImageSet fashion = split.train();
        Normalization norm = Normalization.of(fashion);
        results.add(time("fashion-mnist train batch 128, crop 2 + flip", fashion, norm, new Augmentation(2, true),
                epochs));
        results.add(time("fashion-mnist train batch 128, no augmentation", fashion, norm, Augmentation.NONE, epochs));
        ImageSet cifarShaped = randomSet(50_000, 3, 32);
        results.add(time("cifar-shaped (random 50000×3×32×32) train batch 128, crop 4 + flip", cifarShaped,
                Normalization.of(cifarShaped), new Augmentation(4, true), Math.max(1, epochs / 2)));

        String json = "{\n  \"benchmark\": \"datasets-batches\",\n  \"java\": \"" + System.getProperty("java.version")
                + "\",\n  \"cpus\": " + Runtime.getRuntime().availableProcessors() + ",\n  \"load_average_at_end\": \""
                + loadAverage() + "\",\n  \"results\": [\n    "
                + String.join(",\n    ", results) + "\n  ]\n}\n";
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
        System.out.print(json);
    }

    private static String time(String name, ImageSet set, Normalization norm, Augmentation augmentation, int epochs) {
        // warm-up: two epochs, so the JIT has compiled the batch writer before timing
        for (int epoch = 0; epoch < 2; epoch++) {
            drain(Batches.training(set, norm, augmentation, 128, 7, epoch));
        }
        List<Double> micros = new ArrayList<>();
        long checksum = 0;
        for (int epoch = 2; epoch < 2 + epochs; epoch++) {
            BatchIterator batches = Batches.training(set, norm, augmentation, 128, 7, epoch);
            while (batches.hasNext()) {
                long start = System.nanoTime();
                Batch batch = batches.next();
                micros.add((System.nanoTime() - start) / 1e3);
                checksum += Float.floatToIntBits(batch.images()[batch.images().length / 2]);
            }
        }
        double[] sorted = micros.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format(Locale.ROOT, "{\"case\": \"%s\", \"batches\": %d, \"mean_us\": %.1f, \"p50_us\": %.1f,"
                + " \"p99_us\": %.1f, \"max_us\": %.1f, \"checksum\": %d}", name, sorted.length, mean,
                sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)], sorted[sorted.length - 1], checksum);
    }

    // other work on the machine inflates the tail figures: the load average says how much there was
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void drain(BatchIterator batches) {
        while (batches.hasNext()) {
            batches.next();
        }
    }

    private static ImageSet randomSet(int count, int channels, int side) {
        SplittableRandom random = new SplittableRandom(1);
        byte[] pixels = new byte[count * channels * side * side];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        int[] labels = IntStream.range(0, count).map(i -> i % 10).toArray();
        List<String> classes = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        return new ImageSet("random", channels, side, side, classes, pixels, labels);
    }
}
