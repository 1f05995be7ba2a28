package io.penni.model.figures;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.api.stage.TrainingSummary;

/**
 * Every picture of one job: for each decomposed convolution of the compressed model, its coefficient matrix and
 * its kernels beside the dense original's (where the original has a convolution of that name and shape), and the
 * learning curves. A layer whose picture cannot be drawn is named in {@link Drawn#problems()}, not dropped silently.
 */
public final class JobFigures {

    private JobFigures() {
    }

    /**
     * The pictures, and why any layer has none.
     *
     * @param figures in network order, the curves last
     * @param problems one line per picture that could not be drawn
     */
    public record Drawn(List<Figure> figures, List<String> problems) {
        /** Copies the lists. */
        public Drawn {
            figures = List.copyOf(figures);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Draws a job's pictures.
     *
     * @param dense the model before decomposition (pretrained or imported)
     * @param compressed the decomposed, pruned model before shrinking (every channel still in place)
     * @param phases each training phase's epochs, in the order they ran
     * @return the pictures
     */
    public static Drawn draw(Model dense, Model compressed, Map<String, List<TrainingSummary.Epoch>> phases) {
        List<Figure> figures = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> files = new HashSet<>();
        for (Layer layer : compressed.network().layers()) {
            if (!(layer instanceof Layer.DecomposedConv2d decomposed)) {
                continue; // only decomposed layers have coefficients and bases
            }
            String name = decomposed.name();
            Tensor coefficients = compressed.parameters().get(ParameterNames.of(name, ParameterNames.COEFFICIENTS));
            Tensor basis = compressed.parameters().get(ParameterNames.of(name, ParameterNames.BASIS));
            if (coefficients == null || basis == null) {
                problems.add(name + ": the compressed model has no coefficients or basis for it");
                continue;
            }
            try {
                figures.add(unique(CoefficientPicture.draw(name, coefficients), files));
            } catch (IllegalArgumentException e) {
                problems.add("coefficients of " + e.getMessage());
            }
            Tensor original = dense.parameters().get(ParameterNames.of(name, ParameterNames.WEIGHT));
            if (original == null || original.shape().length != 4) {
                problems.add(name + ": the model before decomposition has no convolution weight of that name, so "
                        + "its kernels are not drawn");
                continue;
            }
            try {
                figures.add(unique(KernelPicture.draw(name, original, basis, coefficients), files));
            } catch (IllegalArgumentException e) {
                problems.add("kernels of " + e.getMessage());
            }
        }
        CurvesChart.draw(phases).ifPresent(figures::add);
        return new Drawn(figures, problems);
    }

    /** Two layers whose names sanitise alike (a/b and a_b) get files of their own. */
    private static Figure unique(Figure figure, Set<String> files) {
        String file = figure.file();
        for (int i = 2; !files.add(file); i++) {
            file = figure.file().substring(0, figure.file().length() - ".png".length()) + "_" + i + ".png";
        }
        return new Figure(figure.kind(), figure.layer(), file, figure.width(), figure.height(), figure.png());
    }
}
