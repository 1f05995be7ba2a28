package io.penni.model;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What compressing a model achieved: the per-convolution table of the PENNI paper's appendix (before and after
 * shrinking) and the whole network's parameters, MACs and activation memory, dense versus compressed. Build it
 * with {@link CompressionReports#build}; render it with {@link CompressionReports#json} and
 * {@link CompressionReports#markdown}.
 *
 * @param network the network's name
 * @param layers one row per convolution, in network order
 * @param dense the counts of the dense model (before)
 * @param compressed the counts of the compressed model (after)
 * @param baselineAccuracy the dense model's accuracy (0..1), once the pipeline has measured it
 * @param compressedAccuracy the compressed model's accuracy (0..1), once the pipeline has measured it
 */
public record CompressionReport(String network, List<LayerRow> layers, ModelCount dense, ModelCount compressed,
        OptionalDouble baselineAccuracy, OptionalDouble compressedAccuracy) {

    /** Checks the fields and copies the list. */
    public CompressionReport {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(dense, "dense");
        Objects.requireNonNull(compressed, "compressed");
        Objects.requireNonNull(baselineAccuracy, "baselineAccuracy");
        Objects.requireNonNull(compressedAccuracy, "compressedAccuracy");
        layers = List.copyOf(layers);
    }

    /**
     * The same report with accuracies filled in.
     *
     * @param baseline the dense model's accuracy (0..1), if measured
     * @param after the compressed model's accuracy (0..1), if measured
     * @return the report
     */
    public CompressionReport withAccuracy(OptionalDouble baseline, OptionalDouble after) {
        return new CompressionReport(network, layers, dense, compressed, baseline, after);
    }

    /** @return the sum of the rows' non-zero coefficients before shrinking */
    public long nonZeroBefore() {
        return layers.stream().mapToLong(LayerRow::nonZeroBefore).sum();
    }

    /** @return the sum of the rows' non-zero coefficients after shrinking */
    public long nonZeroAfter() {
        return layers.stream().mapToLong(LayerRow::nonZeroAfter).sum();
    }

    /** @return the sum of the rows' coefficients before shrinking */
    public long totalBefore() {
        return layers.stream().mapToLong(LayerRow::totalBefore).sum();
    }

    /** @return the sum of the rows' coefficients after shrinking */
    public long totalAfter() {
        return layers.stream().mapToLong(LayerRow::totalAfter).sum();
    }

    /** @return the percentage of all rows' coefficients that are zero before shrinking */
    public double sparsityBefore() {
        return LayerRow.percentZero(nonZeroBefore(), totalBefore());
    }

    /** @return the percentage of all rows' coefficients that are zero after shrinking */
    public double sparsityAfter() {
        return LayerRow.percentZero(nonZeroAfter(), totalAfter());
    }
}
