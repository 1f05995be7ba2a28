package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;

class ModelParametersTest {

    private static final Network NETWORK = new Network("test", List.of(
            new Layer.Input("input", 4, 8, 8),
            new Layer.Conv2d("conv", "input", 6, 4, 3, 1, 1, 2, true),
            new Layer.DecomposedConv2d("dconv", "conv", 5, 6, 3, 1, 1, 4, false),
            new Layer.BatchNorm("bn", "dconv", 5, 1e-5, 0.1),
            new Layer.Linear("fc", "bn", 10, 5 * 8 * 8, true)), "fc");

    @Test
    void listsEveryTensorWithItsShapeInNetworkOrder() {
        Map<String, int[]> required = ModelParameters.required(NETWORK);
        assertEquals(List.of("conv.weight", "conv.bias", "dconv.basis", "dconv.coefficients", "bn.gamma", "bn.beta",
                "bn.running_mean", "bn.running_var", "fc.weight", "fc.bias"), List.copyOf(required.keySet()));
        assertArrayEquals(new int[] {6, 2, 3, 3}, required.get("conv.weight"));
        assertArrayEquals(new int[] {4, 9}, required.get("dconv.basis"));
        assertArrayEquals(new int[] {5, 6, 4}, required.get("dconv.coefficients"));
        assertArrayEquals(new int[] {5}, required.get("bn.running_var"));
        assertArrayEquals(new int[] {10, 320}, required.get("fc.weight"));
    }

    @Test
    void aModelWithExactlyTheRequiredTensorsIsValid() {
        assertDoesNotThrow(() -> ModelParameters.validate(Architectures.initialise(NETWORK, 1)));
    }

    @Test
    void missingParameterIsNamedWithTheShapeItNeeds() {
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(NETWORK, 1).parameters());
        parameters.remove("bn.running_mean");
        String message = assertThrows(ModelException.class,
                () -> ModelParameters.validate(new Model(NETWORK, parameters))).getMessage();
        assertEquals("parameter bn.running_mean: missing; layer bn needs it with shape [5]", message);
    }

    @Test
    void wrongShapeIsNamedWithBothShapes() {
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(NETWORK, 1).parameters());
        parameters.put("conv.weight", Tensor.zeros(6, 4, 3, 3));
        String message = assertThrows(ModelException.class,
                () -> ModelParameters.validate(new Model(NETWORK, parameters))).getMessage();
        assertEquals("parameter conv.weight: has shape [6, 4, 3, 3], layer conv needs [6, 2, 3, 3]", message);
    }

    @Test
    void unknownParameterIsRejected() {
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(NETWORK, 1).parameters());
        parameters.put("bn.bias", Tensor.zeros(5));
        String message = assertThrows(ModelException.class,
                () -> ModelParameters.validate(new Model(NETWORK, parameters))).getMessage();
        assertEquals("parameter bn.bias: no layer of network test has it", message);
    }

    @Test
    void layerOfAParameterIsEverythingBeforeTheLastDot() {
        assertEquals("layer1.0.downsample.0", ModelParameters.layerOf("layer1.0.downsample.0.weight"));
    }
}
