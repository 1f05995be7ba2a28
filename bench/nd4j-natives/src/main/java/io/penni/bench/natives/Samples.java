package io.penni.bench.natives;

import java.util.List;

/** Order statistics of timing samples. */
final class Samples {

    private Samples() {
    }

    /** @return the median (mean of the middle two for an even count) */
    static double median(List<Double> values) {
        double[] sorted = sorted(values);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** @return the nearest-rank percentile, {@code p} in (0, 100] */
    static double percentile(List<Double> values, double p) {
        double[] sorted = sorted(values);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double[] sorted(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
}
