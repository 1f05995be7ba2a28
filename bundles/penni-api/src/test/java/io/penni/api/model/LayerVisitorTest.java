package io.penni.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Each layer record calls the visitor's method for its own type. */
class LayerVisitorTest {

    /** Names the record type each method was called for. */
    private static final Layer.Visitor<String> TYPE = new Layer.Visitor<>() {
        @Override
        public String visitInput(Layer.Input layer) {
            return "Input";
        }

        @Override
        public String visitConv2d(Layer.Conv2d layer) {
            return "Conv2d";
        }

        @Override
        public String visitDecomposedConv2d(Layer.DecomposedConv2d layer) {
            return "DecomposedConv2d";
        }

        @Override
        public String visitBatchNorm(Layer.BatchNorm layer) {
            return "BatchNorm";
        }

        @Override
        public String visitRelu(Layer.Relu layer) {
            return "Relu";
        }

        @Override
        public String visitClippedRelu(Layer.ClippedRelu layer) {
            return "ClippedRelu";
        }

        @Override
        public String visitPool(Layer.Pool layer) {
            return "Pool";
        }

        @Override
        public String visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
            return "GlobalAvgPool";
        }

        @Override
        public String visitAdd(Layer.Add layer) {
            return "Add";
        }

        @Override
        public String visitFlatten(Layer.Flatten layer) {
            return "Flatten";
        }

        @Override
        public String visitLinear(Layer.Linear layer) {
            return "Linear";
        }

        @Override
        public String visitDropout(Layer.Dropout layer) {
            return "Dropout";
        }
    };

    private static final List<Layer> ONE_OF_EACH = List.of(
            new Layer.Input("input", 1, 4, 4),
            new Layer.Conv2d("conv", "input", 2, 1, 3, 1, 1, 1, true),
            new Layer.DecomposedConv2d("dconv", "conv", 2, 2, 3, 1, 1, 2, false),
            new Layer.BatchNorm("bn", "dconv", 2, 1e-5, 0.1),
            new Layer.Relu("relu", "bn"),
            new Layer.ClippedRelu("relu6", "relu", 6),
            new Layer.Pool("pool", "relu6", Layer.PoolKind.MAX, 2, 2, 0),
            new Layer.GlobalAvgPool("gap", "pool"),
            new Layer.Add("add", List.of("gap", "gap")),
            new Layer.Flatten("flatten", "add"),
            new Layer.Linear("fc", "flatten", 3, 2, true),
            new Layer.Dropout("dropout", "fc", 0.5));

    @Test
    void everyLayerTypeCallsItsOwnMethod() {
        for (Layer layer : ONE_OF_EACH) {
            assertEquals(layer.getClass().getSimpleName(), layer.accept(TYPE), layer.name());
        }
    }

    @Test
    void theTestCoversEveryPermittedLayerType() {
        Set<String> permitted = records(Layer.class).map(Class::getSimpleName).collect(Collectors.toSet());
        Set<String> covered = ONE_OF_EACH.stream().map(l -> l.getClass().getSimpleName()).collect(Collectors.toSet());
        assertEquals(permitted, covered);
    }

    /** The records a sealed type permits, through sealed interfaces between (Layer.Windowed). */
    private static Stream<Class<?>> records(Class<?> type) {
        return Arrays.stream(type.getPermittedSubclasses()).flatMap(c -> c.isSealed() ? records(c) : Stream.of(c));
    }

    @Test
    void aClippedReluIsBoundedOnBothSidesAndItsBoundMustBePositiveAndFinite() {
        Layer.ClippedRelu relu6 = new Layer.ClippedRelu("r", "x", 6);
        assertEquals(0f, relu6.apply(-3f));
        assertEquals(2.5f, relu6.apply(2.5f));
        assertEquals(6f, relu6.apply(7f));
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> new Layer.ClippedRelu("r", "x", bad), "max " + bad);
        }
    }
}
