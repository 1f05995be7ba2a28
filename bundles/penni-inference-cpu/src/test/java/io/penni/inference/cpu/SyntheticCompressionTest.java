package io.penni.inference.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.model.ModelParameters;

class SyntheticCompressionTest {

    @Test
    void everyConvolutionButTheFirstBecomesDecomposedWithTheGivenBases() {
        Model model = SyntheticCompression.decompose(TestModels.architecture("vgg-small", 1), 5, 1);
        ModelParameters.validate(model);
        assertInstanceOf(Layer.Conv2d.class, model.network().layers().get(1));
        Layer.DecomposedConv2d second = assertInstanceOf(Layer.DecomposedConv2d.class,
                model.network().layers().stream().filter(l -> l.name().equals("conv2")).findFirst().orElseThrow());
        assertEquals(5, second.bases());
    }

    @Test
    void pruningZeroesExactlyTheFractionOfEachLayersCoefficients() {
        Model model = SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("vgg-small", 2), 5, 2), 0.9, 2);
        float[] c = model.parameters().get(ParameterNames.of("conv4", ParameterNames.COEFFICIENTS)).data();
        long zeros = 0;
        for (float v : c) {
            if (v == 0f) {
                zeros++;
            }
        }
        assertEquals(Math.round(0.9 * c.length), zeros);
    }
}
