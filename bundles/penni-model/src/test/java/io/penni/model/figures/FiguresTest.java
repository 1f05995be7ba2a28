package io.penni.model.figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Tensor;
import io.penni.api.stage.TrainingSummary;

/** Pixel checks of the pictures: what is zero is white, the largest |c| is the darkest, sizes and names hold. */
class FiguresTest {

    private static final int WHITE = 0xffffff;

    private static BufferedImage image(Figure figure) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(figure.png()));
        assertEquals(figure.width(), image.getWidth(), "PNG width as recorded");
        assertEquals(figure.height(), image.getHeight(), "PNG height as recorded");
        return image;
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xffffff;
    }

    private static int luminance(int rgb) {
        return ((rgb >> 16) & 0xff) * 299 + ((rgb >> 8) & 0xff) * 587 + (rgb & 0xff) * 114;
    }

    /** 3 output channels × (2 input channels × 2 bases): one zero, one largest, the rest in between. */
    private static Tensor coefficients() {
        return new Tensor(new int[] {3, 2, 2}, new float[] {
            0.5f, 0f, 0.1f, 0.2f,
            -0.3f, 0.25f, 0.05f, 0.4f,
            0.15f, -0.9f, 0.35f, 0.45f});
    }

    @Test
    void aZeroCoefficientIsWhiteAndTheLargestIsTheDarkestCell() throws IOException {
        Figure figure = CoefficientPicture.draw("conv1", coefficients());
        BufferedImage image = image(figure);
        CoefficientPicture.Layout layout = CoefficientPicture.Layout.of(3, 4);
        assertEquals(1, layout.block());
        assertTrue(layout.cell() >= 16, "a small matrix is upsampled to a readable cell: " + layout.cell());
        int[][] centre = new int[3][4];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                centre[r][c] = rgb(image, CoefficientPicture.LEFT + c * layout.cell() + layout.cell() / 2,
                        CoefficientPicture.TOP + r * layout.cell() + layout.cell() / 2);
            }
        }
        assertEquals(WHITE, centre[0][1], "the zero coefficient is blank");
        int darkest = luminance(centre[2][1]); // |-0.9|
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                if (!(r == 0 && c == 1)) {
                    assertNotEquals(WHITE, centre[r][c], "a non-zero coefficient is never white: " + r + "," + c);
                }
                if (!(r == 2 && c == 1)) {
                    assertTrue(luminance(centre[r][c]) > darkest, "the largest |c| is the darkest: " + r + "," + c);
                }
            }
        }
        assertTrue(luminance(centre[1][2]) > luminance(centre[0][0]), "0.05 is lighter than 0.5");
        assertEquals("figures/coefficients-conv1.png", figure.file());
        assertEquals(Optional.of("conv1"), figure.layer());
    }

    @Test
    void aVeryLargeMatrixIsDrawnInBlocksOfTheLargestValueWithinACappedSize() throws IOException {
        int n = 1500;
        int channels = 600;
        int d = 4;
        float[] data = new float[n * channels * d];
        data[(1499 * channels + 599) * d + 3] = 2f; // the last coefficient, alone in its block
        Figure figure = CoefficientPicture.draw("big", new Tensor(new int[] {n, channels, d}, data));
        CoefficientPicture.Layout layout = CoefficientPicture.Layout.of(n, channels * d);
        assertEquals(3, layout.block());
        assertTrue(layout.rows() <= CoefficientPicture.MAX_CELLS && layout.columns() <= CoefficientPicture.MAX_CELLS);
        assertTrue(figure.width() <= 1200 && figure.height() <= 1200, figure.width() + "x" + figure.height());
        BufferedImage image = image(figure);
        int x = CoefficientPicture.LEFT + (layout.columns() - 1) * layout.cell();
        int y = CoefficientPicture.TOP + (layout.rows() - 1) * layout.cell();
        assertNotEquals(WHITE, rgb(image, x, y), "a block holding one non-zero is drawn");
        assertEquals(WHITE, rgb(image, CoefficientPicture.LEFT, CoefficientPicture.TOP), "an all-zero block is blank");
    }

    @Test
    void kernelsBesideTheOriginalShareOneScaleAndAnEmptiedKernelIsWhite() throws IOException {
        // 2 filters × 1 channel, 3×3; basis: one tap each; filter 1's coefficients pruned to zero
        Tensor original = new Tensor(new int[] {2, 1, 3, 3}, new float[] {
            1, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, -1, 0, 0, 0, 0});
        float[] basis = new float[2 * 9];
        basis[0] = 1; // basis 0: top-left tap
        basis[9 + 4] = 1; // basis 1: centre tap
        Tensor coefficients = new Tensor(new int[] {2, 1, 2}, new float[] {1, 0, 0, 0});
        Figure figure = KernelPicture.draw("conv2", original, new Tensor(new int[] {2, 9}, basis), coefficients);
        BufferedImage image = image(figure);
        int px = 16;
        int gap = 6;
        int top = KernelPicture.TOP;
        int left = KernelPicture.LEFT;
        int panel = 3 * px;
        int right = left + KernelPicture.column(panel) + 40;
        int redOriginal = rgb(image, left + px / 2, top + px / 2);
        int redRebuilt = rgb(image, right + px / 2, top + px / 2);
        assertEquals(redOriginal, redRebuilt, "the same weight, the same colour in both panels");
        assertTrue(((redOriginal >> 16) & 0xff) > (redOriginal & 0xff), "positive is red");
        int blue = rgb(image, left + px + px / 2, top + panel + gap + px + px / 2);
        assertTrue((blue & 0xff) > ((blue >> 16) & 0xff), "negative is blue");
        assertEquals(WHITE, rgb(image, right + px + px / 2, top + panel + gap + px + px / 2),
                "the pruned filter's reconstructed kernel is blank");
        assertEquals("figures/weights-conv2.png", figure.file());
    }

    @Test
    void mismatchedShapesAreRefusedNamingTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelPicture.draw("conv9",
                Tensor.zeros(4, 2, 3, 3), Tensor.zeros(5, 9), Tensor.zeros(4, 3, 5)));
        assertTrue(e.getMessage().startsWith("conv9: "), e.getMessage());
    }

    @Test
    void learningCurvesPlotEveryPhaseOnOneAxisWithTrainAndTestColours() throws IOException {
        Map<String, List<TrainingSummary.Epoch>> phases = new LinkedHashMap<>();
        phases.put("pretrain", List.of(epoch(1, 0.6, 1.1, 0.55, 1.2), epoch(2, 0.8, 0.6, 0.75, 0.7)));
        phases.put("retrain", List.of(epoch(1, 0.7, 0.9, 0.7, 0.95)));
        phases.put("finetune", List.of());
        Figure figure = CurvesChart.draw(phases).orElseThrow();
        assertEquals("figures/curves.png", figure.file());
        assertEquals(Optional.empty(), figure.layer());
        BufferedImage image = image(figure);
        assertEquals(CurvesChart.WIDTH, image.getWidth());
        int train = 0;
        int test = 0;
        for (int y = CurvesChart.TOP; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = rgb(image, x, y);
                train += p == (CurvesChart.TRAIN.getRGB() & 0xffffff) ? 1 : 0;
                test += p == (CurvesChart.TEST.getRGB() & 0xffffff) ? 1 : 0;
            }
        }
        assertTrue(train > 100, "the training curves are drawn: " + train + " pixels");
        assertTrue(test > 100, "the test curves are drawn: " + test + " pixels");
        assertFalse(CurvesChart.draw(Map.of("finetune", List.of())).isPresent(), "no epochs, no chart");
        assertEquals(2.5, CurvesChart.niceCeiling(2.3), 1e-12);
    }

    @Test
    void layerNamesAreSanitisedIntoTheFiguresFolder() {
        assertEquals("figures/weights-block1.conv_a_b.png", Figure.fileOf(Figure.WEIGHTS, "block1.conv/a b"));
        assertEquals("figures/weights-_...png", Figure.fileOf(Figure.WEIGHTS, ".."));
    }

    private static TrainingSummary.Epoch epoch(int epoch, double accuracy, double loss, double testAccuracy,
            double testLoss) {
        return new TrainingSummary.Epoch(epoch, "all", 0.01, loss, accuracy, OptionalDouble.of(testAccuracy),
                OptionalDouble.of(testLoss), 0, 0, 100, 1);
    }
}
