package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;

class CompressionReportsTest {

    private static final Model DENSE = Architectures.initialise(network(
            new Layer.Conv2d("conv1", "input", 4, 1, 3, 1, 1, 1, false),
            new Layer.Conv2d("conv2", "bn1", 6, 4, 3, 1, 1, 1, false),
            new Layer.Conv2d("conv3", "conv2", 6, 6, 1, 1, 0, 1, false), 4, 6), 1);

    /** Decomposed and pruned: conv2's coefficients are 30 of 120 zero. */
    private static final Model DECOMPOSED = withLeadingZeros(Architectures.initialise(network(
            new Layer.DecomposedConv2d("conv1", "input", 4, 1, 3, 1, 1, 5, false),
            new Layer.DecomposedConv2d("conv2", "bn1", 6, 4, 3, 1, 1, 5, false),
            new Layer.Conv2d("conv3", "conv2", 6, 6, 1, 1, 0, 1, false), 4, 6), 2), 30);

    /** Shrunk: conv2 down to 5 outputs of 3 inputs, 15 of its 75 coefficients zero; conv3 to 4 outputs. */
    private static final Model COMPRESSED = withLeadingZeros(Architectures.initialise(network(
            new Layer.DecomposedConv2d("conv1", "input", 3, 1, 3, 1, 1, 4, false),
            new Layer.DecomposedConv2d("conv2", "bn1", 5, 3, 3, 1, 1, 5, false),
            new Layer.Conv2d("conv3", "conv2", 4, 5, 1, 1, 0, 1, false), 3, 4), 3), 15);

    private static Network network(Layer conv1, Layer conv2, Layer conv3, int width1, int width3) {
        return new Network("tiny", List.of(new Layer.Input("input", 1, 8, 8), conv1,
                new Layer.BatchNorm("bn1", "conv1", width1, 1e-5, 0.1), conv2, conv3,
                new Layer.GlobalAvgPool("gap", "conv3"), new Layer.Linear("fc", "gap", 10, width3, true)), "fc");
    }

    private static Model withLeadingZeros(Model model, int zeros) {
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        Tensor c = parameters.get("conv2.coefficients");
        float[] data = c.data().clone();
        for (int i = 0; i < zeros; i++) {
            data[i] = 0f;
        }
        parameters.put("conv2.coefficients", new Tensor(c.shape(), data));
        return new Model(model.network(), parameters);
    }

    private static JsonNode json(CompressionReport report) throws Exception {
        return new ObjectMapper().readTree(CompressionReports.json(report));
    }

    @Test
    void jsonHasTheWholeNetworkFiguresDenseBeforeAndCompressedAfter() throws Exception {
        JsonNode json = json(CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED));
        ModelCount dense = ModelCounter.count(DENSE);
        ModelCount compressed = ModelCounter.count(COMPRESSED);
        assertEquals(dense.params(), json.at("/params/before").longValue());
        assertEquals(compressed.params(), json.at("/params/after").longValue());
        assertEquals(dense.macs(), json.at("/macs/before").longValue());
        assertEquals(compressed.macs(), json.at("/macs/after").longValue());
        assertEquals(dense.convMacs(), json.at("/conv/macs/before").longValue());
        assertEquals(compressed.peakActivationBytes(), json.at("/peakActivations/after").longValue());
        assertTrue(json.at("/baseline/accuracy").isNull());
        assertTrue(json.at("/compressed/accuracy").isNull());
    }

    @Test
    void jsonHasARowPerConvolutionWithBeforeAndAfterShrinking() throws Exception {
        JsonNode layers = json(CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED)).get("layers");
        assertEquals(3, layers.size());
        JsonNode conv2 = layers.get(1);
        assertEquals("conv2", conv2.get("name").textValue());
        assertEquals(3, conv2.get("kernel").intValue());
        assertEquals(6, conv2.at("/width/before").intValue());
        assertEquals(5, conv2.at("/width/after").intValue());
        assertEquals(5, conv2.at("/basis/before").intValue());
        assertEquals(90, conv2.at("/coefs/nnz/before").longValue());
        assertEquals(60, conv2.at("/coefs/nnz/after").longValue());
        assertEquals(120, conv2.at("/coefs/total/before").longValue());
        assertEquals(75, conv2.at("/coefs/total/after").longValue());
        assertEquals(25.0, conv2.at("/sparsity/before").doubleValue(), 1e-12);
        assertEquals(20.0, conv2.at("/sparsity/after").doubleValue(), 1e-12);
        // a dense 1×1 convolution: no bases, its weights stand in for coefficients
        assertEquals(0, layers.get(2).at("/basis/after").intValue());
        assertEquals(20, layers.get(2).at("/coefs/total/after").longValue());
    }

    @Test
    void jsonTotalsSumTheCoefficientColumns() throws Exception {
        CompressionReport report = CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED);
        JsonNode totals = json(report).get("totals");
        assertEquals(4 * 5 + 120 + 36, totals.at("/coefs/total/before").longValue());
        assertEquals(3 * 4 + 75 + 20, totals.at("/coefs/total/after").longValue());
        assertEquals(report.sparsityAfter(), totals.at("/sparsity/after").doubleValue(), 1e-12);
    }

    @Test
    void jsonCarriesAccuraciesOnceMeasured() throws Exception {
        CompressionReport report = CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED)
                .withAccuracy(OptionalDouble.of(0.931), OptionalDouble.of(0.927));
        JsonNode json = json(report);
        assertEquals(0.931, json.at("/baseline/accuracy").doubleValue());
        assertEquals(0.927, json.at("/compressed/accuracy").doubleValue());
    }

    @Test
    void markdownHasARowPerConvolutionAndATotalRow() {
        String text = CompressionReports.markdown(CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED));
        List<String> rows = text.lines().filter(l -> l.matches("\\| (conv\\d|total) .*")).toList();
        assertEquals(4, rows.size(), text);
        String conv2 = rows.get(1);
        assertTrue(conv2.matches("\\| conv2 +\\| +3x3 \\| +6 → 5 \\| +5 → 5 \\| +90 / 120 → 60 / 75 \\| "
                + "+25\\.0% → 20\\.0% \\|"), conv2);
        assertTrue(rows.get(2).contains(" – |"), rows.get(2));
        assertTrue(rows.get(3).contains("146 / 176 → 92 / 107"), rows.get(3));
    }

    @Test
    void markdownComparesDenseAndCompressedWithReductionFactors() {
        CompressionReport report = CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED);
        String text = CompressionReports.markdown(report);
        String params = text.lines().filter(l -> l.startsWith("| params")).findFirst().orElseThrow();
        String factor = String.format(Locale.ROOT, "%.2fx smaller", (double) report.dense().params()
                / report.compressed().params());
        assertTrue(params.contains(" " + report.dense().params() + " ") && params.endsWith(factor + " |"), params);
        assertTrue(text.contains("| accuracy") && text.contains("not measured"), text);
    }

    @Test
    void aFigureThatGrowsSaysLargerNotAFactorBelowOne() {
        CompressionReport report = CompressionReports.build(DENSE, DECOMPOSED, COMPRESSED);
        String text = CompressionReports.markdown(report);
        for (String row : text.lines().filter(l -> l.startsWith("| activations") || l.startsWith("| peak")).toList()) {
            String[] cells = row.split("\\|");
            String change = cells[cells.length - 1].trim();
            assertTrue(change.equals("same") || change.matches("\\d+\\.\\d\\dx (smaller|larger)"), row);
            double factor = change.equals("same") ? 1 : Double.parseDouble(change.substring(0, change.indexOf('x')));
            assertTrue(factor >= 1, "a change is never a factor below one: " + row);
        }
    }

    @Test
    void aConvolutionMissingFromTheCompressedModelIsRefusedNamingIt() {
        ModelException e = assertThrows(ModelException.class,
                () -> CompressionReports.build(DENSE, DECOMPOSED, Architectures.create("resnet-small", 1)));
        assertEquals("layer conv2: a convolution of the decomposed model, but not of the compressed model "
                + "resnet-small", e.getMessage());
    }
}
