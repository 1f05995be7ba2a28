package io.penni.model.figures;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

import io.penni.api.stage.TrainingSummary;

/**
 * Learning curves like the paper's Fig. 3: training and test accuracy (left) and loss (right) per epoch, the
 * phases (pretrain, retrain, finetune) one after another on one epoch axis, each phase's span shaded and named.
 */
public final class CurvesChart {

    static final int WIDTH = 1000;
    static final int HEIGHT = 440;
    static final int TOP = 78;
    private static final int BOTTOM = 52;
    private static final int LEFT = 60;
    private static final int PLOT_GAP = 70;
    private static final int RIGHT = 20;
    static final Color TRAIN = new Color(0x1f, 0x77, 0xb4);
    static final Color TEST = new Color(0xe6, 0x55, 0x0d);
    private static final Color[] BANDS = {new Color(0xf4, 0xf4, 0xf8), new Color(0xfc, 0xfc, 0xfc)};

    private CurvesChart() {
    }

    /** One point of a curve: the epoch on the shared axis and the value, when measured. */
    private record Point(int x, OptionalDouble y) {
    }

    /**
     * Draws the curves.
     *
     * @param phases each training phase's epochs, in the order they ran
     * @return the chart, or empty when no phase trained an epoch
     */
    public static Optional<Figure> draw(Map<String, List<TrainingSummary.Epoch>> phases) {
        Map<String, int[]> spans = new LinkedHashMap<>();
        List<TrainingSummary.Epoch> all = new ArrayList<>();
        for (Map.Entry<String, List<TrainingSummary.Epoch>> phase : phases.entrySet()) {
            if (!phase.getValue().isEmpty()) {
                spans.put(phase.getKey(), new int[] {all.size() + 1, all.size() + phase.getValue().size()});
                all.addAll(phase.getValue());
            }
        }
        if (all.isEmpty()) {
            return Optional.empty();
        }
        int plotWidth = (WIDTH - LEFT - PLOT_GAP - RIGHT) / 2;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        try (Canvas canvas = new Canvas(WIDTH, HEIGHT)) {
            canvas.text("Learning curves: accuracy and loss per epoch", 8, 20, 14, true, Canvas.INK);
            legend(canvas, 8, 42);
            Plot accuracy = new Plot(LEFT, TOP, plotWidth, plotHeight, all.size(), 0, 1, "accuracy");
            double lossMax = niceCeiling(all.stream().flatMap(e -> java.util.stream.Stream.of(
                    OptionalDouble.of(e.loss()), e.testLoss())).filter(OptionalDouble::isPresent)
                    .mapToDouble(OptionalDouble::getAsDouble).filter(Double::isFinite).max().orElse(1));
            Plot loss = new Plot(LEFT + plotWidth + PLOT_GAP, TOP, plotWidth, plotHeight, all.size(), 0, lossMax,
                    "loss");
            for (Plot plot : List.of(accuracy, loss)) {
                plot.frame(canvas, spans);
            }
            accuracy.line(canvas, points(all, e -> OptionalDouble.of(e.accuracy())), TRAIN);
            accuracy.line(canvas, points(all, TrainingSummary.Epoch::testAccuracy), TEST);
            loss.line(canvas, points(all, e -> OptionalDouble.of(e.loss())), TRAIN);
            loss.line(canvas, points(all, TrainingSummary.Epoch::testLoss), TEST);
            return Optional.of(new Figure(Figure.CURVES, Optional.empty(), Figure.FOLDER + "curves.png", WIDTH, HEIGHT,
                    canvas.png()));
        }
    }

    private static List<Point> points(List<TrainingSummary.Epoch> epochs, Function<TrainingSummary.Epoch, OptionalDouble> value) {
        List<Point> p = new ArrayList<>();
        for (int i = 0; i < epochs.size(); i++) {
            OptionalDouble v = value.apply(epochs.get(i));
            p.add(new Point(i + 1, v.isPresent() && Double.isFinite(v.getAsDouble()) ? v : OptionalDouble.empty()));
        }
        return p;
    }

    private static void legend(Canvas canvas, int x, int y) {
        for (Object[] entry : new Object[][] {{"train", TRAIN}, {"test", TEST}}) {
            canvas.g.setColor((Color) entry[1]);
            canvas.g.setStroke(new BasicStroke(2.5f));
            canvas.g.drawLine(x, y - 4, x + 24, y - 4);
            canvas.g.fillOval(x + 9, y - 7, 7, 7);
            canvas.text((String) entry[0], x + 30, y, 12, false, Canvas.INK);
            x += 90;
        }
        canvas.g.setStroke(new BasicStroke(1f));
        canvas.text("shaded spans: training phases (pretrain, retrain with L1 on coefficients, finetune after pruning)",
                x + 10, y, 11, false, Canvas.FRAME);
    }

    /** The smallest of 1, 2, 2.5, 5 × 10^k at or above v. */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= v * (1 - 1e-9)) {
                return m * power;
            }
        }
        return 10 * power;
    }

    /** One plot area: an epoch axis from 1 to epochs and a value axis from low to high. */
    private record Plot(int left, int top, int width, int height, int epochs, double low, double high, String label) {

        int x(double epoch) {
            // one epoch: in the middle; more: from edge to edge with half a step of margin
            return left + (int) Math.round((epoch - 0.5) / epochs * width);
        }

        int y(double value) {
            double t = (value - low) / (high - low);
            return top + height - (int) Math.round(Math.max(0, Math.min(1, t)) * height);
        }

        void frame(Canvas canvas, Map<String, int[]> spans) {
            int i = 0;
            for (Map.Entry<String, int[]> span : spans.entrySet()) {
                int x0 = x(span.getValue()[0] - 0.5);
                int x1 = x(span.getValue()[1] + 0.5);
                canvas.g.setColor(BANDS[i++ % 2]);
                canvas.g.fillRect(x0, top, x1 - x0, height);
                canvas.g.setColor(Canvas.GRID);
                canvas.g.drawLine(x0, top, x0, top + height);
                canvas.centred(span.getKey(), (x0 + x1) / 2, top - 6, 11, Canvas.INK);
            }
            for (int t = 0; t <= 4; t++) {
                double v = low + (high - low) * t / 4;
                int y = y(v);
                canvas.g.setColor(Canvas.GRID);
                canvas.g.drawLine(left, y, left + width, y);
                canvas.right(Canvas.number(v), left - 6, y + 4, 10, Canvas.INK);
            }
            int step = Math.max(1, (int) Math.ceil(epochs / 10.0));
            for (int e = 1; e <= epochs; e += step) {
                canvas.g.setColor(Canvas.FRAME);
                canvas.g.drawLine(x(e), top + height, x(e), top + height + 4);
                canvas.centred(String.valueOf(e), x(e), top + height + 16, 10, Canvas.INK);
            }
            canvas.g.setColor(Canvas.FRAME);
            canvas.g.drawRect(left, top, width, height);
            canvas.centred("epoch", left + width / 2, top + height + 34, 11, Canvas.INK);
            canvas.vertical(label, left - 40, top + height / 2, 12, Canvas.INK);
        }

        void line(Canvas canvas, List<Point> points, Color color) {
            canvas.g.setColor(color);
            canvas.g.setStroke(new BasicStroke(2f));
            Point previous = null;
            for (Point p : points) {
                if (p.y().isEmpty()) {
                    continue;
                }
                if (previous != null) {
                    canvas.g.drawLine(x(previous.x()), y(previous.y().getAsDouble()), x(p.x()), y(p.y().getAsDouble()));
                }
                canvas.g.fillOval(x(p.x()) - 4, y(p.y().getAsDouble()) - 4, 9, 9);
                previous = p;
            }
            canvas.g.setStroke(new BasicStroke(1f));
        }
    }
}
