package io.penni.model.figures;

import java.awt.Color;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import io.penni.api.model.Tensor;
import io.penni.model.DecomposedKernels;

/**
 * The paper's Fig. 2 for one layer: a few filters' k×k kernels as the original dense layer had them, beside the
 * kernels the compressed layer computes ({@code W[n,c] = Σ_j coefficients[n,c,j]·basis[j]}). Both panels share one
 * diverging scale (red positive, blue negative, white zero), so a kernel that pruning emptied shows white.
 */
public final class KernelPicture {

    /** Filters (rows) shown at most. */
    static final int FILTERS = 4;
    /** Input channels (columns) shown at most. */
    static final int CHANNELS = 8;
    private static final int GAP = 6;
    private static final int PANEL_GAP = 40;
    static final int LEFT = 64;
    static final int TOP = 66;
    private static final int BOTTOM = 40;
    private static final Color POSITIVE = new Color(0xb2, 0x18, 0x2b);
    private static final Color NEGATIVE = new Color(0x21, 0x66, 0xac);

    private KernelPicture() {
    }

    /**
     * Draws a layer's first filters, original beside reconstructed.
     *
     * @param layer the layer's name
     * @param original the dense layer's weight {@code [N, C, k, k]}
     * @param basis the compressed layer's basis {@code [d, k·k]}
     * @param coefficients its coefficients {@code [N, C, d]}
     * @return the picture
     * @throws IllegalArgumentException when the shapes do not belong together
     */
    public static Figure draw(String layer, Tensor original, Tensor basis, Tensor coefficients) {
        int[] w = original.shape();
        int[] b = basis.shape();
        int[] c = coefficients.shape();
        if (w.length != 4 || b.length != 2 || c.length != 3 || w[2] != w[3] || w[0] != c[0] || w[1] != c[1]
                || b[0] != c[2] || b[1] != w[2] * w[3] || w[0] == 0 || w[1] == 0) {
            throw new IllegalArgumentException(layer + ": original " + Arrays.toString(w) + ", basis "
                    + Arrays.toString(b) + " and coefficients " + Arrays.toString(c) + " do not belong together");
        }
        int n = w[0];
        int channels = w[1];
        int k = w[2];
        int d = b[0];
        double[] dense = DecomposedKernels.dense(basis.data(), coefficients.data(), n * channels, d, k * k);
        float[] rebuilt = new float[dense.length];
        for (int i = 0; i < dense.length; i++) {
            rebuilt[i] = (float) dense[i];
        }
        int filters = Math.min(FILTERS, n);
        int shown = Math.min(CHANNELS, channels);
        double scale = 0;
        for (int f = 0; f < filters; f++) {
            for (int ch = 0; ch < shown; ch++) {
                int at = (f * channels + ch) * k * k;
                for (int i = 0; i < k * k; i++) {
                    scale = Math.max(scale, Math.max(Math.abs(original.data()[at + i]), Math.abs(rebuilt[at + i])));
                }
            }
        }
        int px = Math.max(4, 48 / k);
        int kernel = k * px;
        int panelWidth = shown * kernel + (shown - 1) * GAP;
        int panelHeight = filters * kernel + (filters - 1) * GAP;
        String title = String.format(Locale.ROOT, "%s kernels: original vs. reconstructed from %d bases (relative "
                + "error %.3f)", layer, d, relativeError(original.data(), rebuilt));
        String subtitle = String.format(Locale.ROOT, "after retraining, pruning and fine-tuning; first %d of %d "
                + "filters × first %d of %d input channels, %d×%d; red > 0 > blue, white 0; |w| ≤ %s", filters, n,
                shown, channels, k, k, Canvas.number(scale));
        int column = column(panelWidth);
        int width = Math.max(LEFT + 2 * column + PANEL_GAP + 20,
                16 + Math.max(Canvas.textWidth(title, 14, true), Canvas.textWidth(subtitle, 11, false)));
        int height = TOP + panelHeight + BOTTOM;
        try (Canvas canvas = new Canvas(width, height)) {
            int right = LEFT + column + PANEL_GAP;
            panel(canvas, LEFT, original.data(), channels, k, filters, shown, px, scale);
            panel(canvas, right, rebuilt, channels, k, filters, shown, px, scale);
            canvas.text(title, 8, 18, 14, true, Canvas.INK);
            canvas.text(subtitle, 8, 36, 11, false, Canvas.FRAME);
            canvas.text("original (dense)", LEFT, TOP - 8, 12, true, Canvas.INK);
            canvas.text("reconstructed (compressed)", right, TOP - 8, 12, true, Canvas.INK);
            for (int f = 0; f < filters; f++) {
                canvas.right("filter " + f, LEFT - 6, TOP + f * (kernel + GAP) + kernel / 2 + 4, 10, Canvas.INK);
            }
            for (int ch = 0; ch < shown; ch++) {
                int x = ch * (kernel + GAP) + kernel / 2;
                canvas.centred("in " + ch, LEFT + x, TOP + panelHeight + 14, 10, Canvas.INK);
                canvas.centred("in " + ch, right + x, TOP + panelHeight + 14, 10, Canvas.INK);
            }
            return new Figure(Figure.WEIGHTS, Optional.of(layer), Figure.fileOf(Figure.WEIGHTS, layer), width, height,
                    canvas.png());
        }
    }

    /** A panel's width: its kernels', or its heading's where that is wider. */
    static int column(int panelWidth) {
        return Math.max(panelWidth, Canvas.textWidth("reconstructed (compressed)", 12, true) + 10);
    }

    private static void panel(Canvas canvas, int left, float[] weights, int channels, int k, int filters, int shown,
            int px, double scale) {
        int kernel = k * px;
        for (int f = 0; f < filters; f++) {
            for (int ch = 0; ch < shown; ch++) {
                int x0 = left + ch * (kernel + GAP);
                int y0 = TOP + f * (kernel + GAP);
                int at = (f * channels + ch) * k * k;
                for (int y = 0; y < k; y++) {
                    for (int x = 0; x < k; x++) {
                        double v = weights[at + y * k + x];
                        if (v != 0) {
                            canvas.g.setColor(shade(scale == 0 ? 0 : v / scale));
                            canvas.g.fillRect(x0 + x * px, y0 + y * px, px, px);
                        }
                    }
                }
                canvas.g.setColor(Canvas.GRID);
                canvas.g.drawRect(x0 - 1, y0 - 1, kernel + 1, kernel + 1);
            }
        }
    }

    private static double relativeError(float[] original, float[] rebuilt) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < original.length; i++) {
            diff += (original[i] - rebuilt[i]) * (double) (original[i] - rebuilt[i]);
            norm += original[i] * (double) original[i];
        }
        return norm == 0 ? 0 : Math.sqrt(diff / norm);
    }

    /**
     * The colour of a weight.
     *
     * @param t the weight over the shared scale, in [-1, 1]
     * @return white at 0, deepening to red for positive and blue for negative
     */
    static Color shade(double t) {
        double u = Math.max(-1, Math.min(1, t));
        Color end = u >= 0 ? POSITIVE : NEGATIVE;
        double a = Math.abs(u);
        return new Color((int) Math.round(255 + (end.getRed() - 255) * a),
                (int) Math.round(255 + (end.getGreen() - 255) * a), (int) Math.round(255 + (end.getBlue() - 255) * a));
    }
}
