package io.penni.model.figures;

import java.util.Objects;
import java.util.Optional;

/**
 * One picture of a job's report, encoded as PNG.
 *
 * @param kind {@link #COEFFICIENTS}, {@link #WEIGHTS} or {@link #CURVES}
 * @param layer the layer it shows, for the per-layer kinds
 * @param file its path relative to the report, e.g. {@code figures/coefficients-conv2.png}
 * @param width width in pixels
 * @param height height in pixels
 * @param png the PNG bytes
 */
public record Figure(String kind, Optional<String> layer, String file, int width, int height, byte[] png) {

    /** A decomposed layer's coefficient matrix (the paper's Fig. 1). */
    public static final String COEFFICIENTS = "coefficients";
    /** A decomposed layer's reconstructed kernels beside the original's (Fig. 2). */
    public static final String WEIGHTS = "weights";
    /** Learning curves of every training phase (Fig. 3). */
    public static final String CURVES = "curves";
    /** The folder, relative to the report, that figures are written to. */
    public static final String FOLDER = "figures/";
    /** The most characters of a layer's name a file name keeps. */
    public static final int MAX_LAYER_CHARS = 100;

    /** Checks the fields. */
    public Figure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(png, "png");
    }

    /**
     * The file name a figure of a layer gets: the layer's name with every character outside letters, digits,
     * {@code .}, {@code -} and {@code _} replaced by {@code _}, so that no name reaches outside the folder, and
     * cut to {@value #MAX_LAYER_CHARS} characters so that the file's name stays a valid artifact name.
     *
     * @param kind the figure's kind
     * @param layer the layer's name
     * @return e.g. {@code figures/coefficients-block1.conv2.png}
     */
    public static String fileOf(String kind, String layer) {
        String safe = layer.replaceAll("[^A-Za-z0-9._-]", "_");
        safe = safe.substring(0, Math.min(safe.length(), MAX_LAYER_CHARS));
        if (safe.isEmpty() || safe.chars().allMatch(ch -> ch == '.')) {
            safe = "_" + safe;
        }
        return FOLDER + kind + "-" + safe + ".png";
    }
}
