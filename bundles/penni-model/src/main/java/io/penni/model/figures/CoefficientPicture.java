package io.penni.model.figures;

import java.awt.Color;
import java.util.Locale;
import java.util.Optional;

import io.penni.api.model.Tensor;

/**
 * A decomposed layer's coefficients as the paper's Fig. 1 draws them: one row per output channel, one column per
 * input channel and basis ({@code c·d + j}), |c| as the colour's depth (the largest the darkest), pruned zeros
 * white. Small matrices are drawn with square cells of several pixels; a matrix wider or taller than
 * {@value #MAX_CELLS} cells is drawn in blocks, each the largest |c| of the coefficients it covers (white only
 * when all of them are zero), and the title says so.
 */
public final class CoefficientPicture {

    /** Most cells drawn along either side before coefficients are drawn in blocks. */
    static final int MAX_CELLS = 1024;
    /** The matrix's longer side aims at this many pixels. */
    private static final int TARGET = 720;
    private static final int MAX_CELL = 24;
    static final int LEFT = 64;
    static final int TOP = 52;
    private static final int RIGHT = 20;
    private static final int BOTTOM = 84;
    private static final int MIN_WIDTH = 480;
    /** The smallest non-zero |c|'s colour and the largest's. */
    private static final Color LIGHT = new Color(0xc6, 0xdb, 0xef);
    private static final Color DARK = new Color(0x08, 0x1d, 0x58);

    private CoefficientPicture() {
    }

    /**
     * How the matrix is laid out in the picture.
     *
     * @param block coefficients per block side (1: every coefficient its own cell)
     * @param cell pixels per cell side
     * @param rows cell rows
     * @param columns cell columns
     */
    record Layout(int block, int cell, int rows, int columns) {
        static Layout of(int outChannels, int columns) {
            int block = (Math.max(outChannels, columns) + MAX_CELLS - 1) / MAX_CELLS;
            int r = (outChannels + block - 1) / block;
            int c = (columns + block - 1) / block;
            int cell = Math.max(1, Math.min(MAX_CELL, TARGET / Math.max(r, c)));
            return new Layout(block, cell, r, c);
        }
    }

    /**
     * Draws a layer's coefficients.
     *
     * @param layer the layer's name, for the title and the file name
     * @param coefficients {@code [N, C, d]}
     * @return the picture
     * @throws IllegalArgumentException when the tensor is not three-dimensional or is empty
     */
    public static Figure draw(String layer, Tensor coefficients) {
        int[] s = coefficients.shape();
        if (s.length != 3 || coefficients.size() == 0) {
            throw new IllegalArgumentException(layer + ": coefficients must be a non-empty [N, C, d] tensor, not "
                    + java.util.Arrays.toString(s));
        }
        int n = s[0];
        int channels = s[1];
        int d = s[2];
        int columns = channels * d;
        float[] c = coefficients.data();
        double max = 0;
        long zeros = 0;
        for (float v : c) {
            max = Math.max(max, Math.abs(v));
            zeros += v == 0 ? 1 : 0;
        }
        Layout l = Layout.of(n, columns);
        int matrixWidth = l.columns() * l.cell();
        int matrixHeight = l.rows() * l.cell();
        String title = String.format(Locale.ROOT, "%s coefficients: %d out × (%d in × %d bases), %.1f%% zero", layer,
                n, channels, d, 100.0 * zeros / c.length);
        String blocks = l.block() == 1 ? "" : String.format(Locale.ROOT, "; each cell the largest |c| of %d×%d",
                l.block(), l.block());
        String subtitle = "rows: output channels; columns: input channel × basis" + blocks;
        int width = Math.max(Math.max(MIN_WIDTH, LEFT + matrixWidth + RIGHT),
                16 + Math.max(Canvas.textWidth(title, 14, true), Canvas.textWidth(subtitle, 11, false)));
        int height = TOP + matrixHeight + BOTTOM;
        try (Canvas canvas = new Canvas(width, height)) {
            for (int row = 0; row < l.rows(); row++) {
                for (int col = 0; col < l.columns(); col++) {
                    double v = blockMax(c, n, columns, row, col, l.block());
                    if (v == 0) {
                        continue; // pruned: stays white
                    }
                    canvas.g.setColor(shade(max == 0 ? 0 : v / max));
                    canvas.g.fillRect(LEFT + col * l.cell(), TOP + row * l.cell(), l.cell(), l.cell());
                }
            }
            if (l.block() == 1 && l.cell() >= 4 && d > 1) {
                // faint lines between input channels, over the first column of each channel's bases
                canvas.g.setColor(Canvas.GRID);
                for (int ch = 1; ch < channels; ch++) {
                    int x = LEFT + ch * d * l.cell();
                    canvas.g.drawLine(x, TOP, x, TOP + matrixHeight - 1);
                }
            }
            canvas.g.setColor(Canvas.FRAME);
            canvas.g.drawRect(LEFT - 1, TOP - 1, matrixWidth + 1, matrixHeight + 1);

            canvas.text(title, 8, 18, 14, true, Canvas.INK);
            canvas.text(subtitle, 8, 36, 11, false, Canvas.FRAME);
            canvas.vertical("output channel", LEFT - 30, TOP + matrixHeight / 2, 11, Canvas.INK);
            canvas.right("0", LEFT - 4, TOP + Math.min(l.cell(), 12), 10, Canvas.INK);
            canvas.right(String.valueOf(n - 1), LEFT - 4, TOP + matrixHeight, 10, Canvas.INK);
            int below = TOP + matrixHeight + 14;
            canvas.text("in 0", LEFT, below, 10, false, Canvas.INK);
            if (channels > 1) {
                canvas.right("in " + (channels - 1), LEFT + matrixWidth, below, 10, Canvas.INK);
            }
            below += 16;
            canvas.text("input channel × basis →", LEFT, below, 11, false, Canvas.INK);
            legend(canvas, LEFT, below + 12, max);
            return new Figure(Figure.COEFFICIENTS, Optional.of(layer), Figure.fileOf(Figure.COEFFICIENTS, layer), width,
                    height, canvas.png());
        }
    }

    /** A white box for zero, then a bar from the smallest to the largest |c|. */
    private static void legend(Canvas canvas, int x, int y, double max) {
        canvas.g.setColor(Color.WHITE);
        canvas.g.fillRect(x, y, 14, 14);
        canvas.g.setColor(Canvas.FRAME);
        canvas.g.drawRect(x, y, 14, 14);
        canvas.text("0 (pruned)", x + 20, y + 12, 11, false, Canvas.INK);
        int bar = x + 110;
        canvas.text("small", bar, y + 12, 11, false, Canvas.INK);
        int start = bar + 38;
        int length = 160;
        for (int i = 0; i < length; i++) {
            canvas.g.setColor(shade((i + 1) / (double) length));
            canvas.g.drawLine(start + i, y, start + i, y + 14);
        }
        canvas.g.setColor(Canvas.FRAME);
        canvas.g.drawRect(start, y, length, 14);
        canvas.text("|c| = " + Canvas.number(max), start + length + 6, y + 12, 11, false, Canvas.INK);
    }

    /** The largest |c| of a block of the [N, C·d] matrix. */
    private static double blockMax(float[] c, int n, int columns, int row, int col, int block) {
        double m = 0;
        for (int r = row * block; r < Math.min(n, (row + 1) * block); r++) {
            int base = r * columns;
            for (int k = col * block; k < Math.min(columns, (col + 1) * block); k++) {
                m = Math.max(m, Math.abs(c[base + k]));
            }
        }
        return m;
    }

    /**
     * The colour of a non-zero |c|.
     *
     * @param t |c| over the layer's largest |c|, in (0, 1]
     * @return from light blue (near 0) to dark navy (1); never white
     */
    static Color shade(double t) {
        double u = Math.max(0, Math.min(1, t));
        return new Color(mix(LIGHT.getRed(), DARK.getRed(), u), mix(LIGHT.getGreen(), DARK.getGreen(), u),
                mix(LIGHT.getBlue(), DARK.getBlue(), u));
    }

    private static int mix(int a, int b, double u) {
        return (int) Math.round(a + (b - a) * u);
    }
}
