package io.penni.strategy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;

/**
 * What every pruning strategy's tests need: tensors, seeded values, typed configurations without a framework, and
 * the invariants of the mask contract. Shared by the strategy modules' tests through this module's test jar.
 */
public final class StrategyFixtures {

    private StrategyFixtures() {
    }

    /**
     * A coefficients tensor {@code [n, c, d]} whose basis kernels all have norm 1.
     *
     * @param layer the layer's name
     * @param position its index among prunable layers
     * @param values the values
     * @param previous the previous keep-mask
     * @param shape {@code n, c, d}
     * @return the tensor
     */
    public static PrunableTensor coefficients(String layer, int position, float[] values, boolean[] previous,
            int... shape) {
        float[] norms = new float[shape[shape.length - 1]];
        Arrays.fill(norms, 1f);
        return new PrunableTensor(layer, TensorKind.COEFFICIENTS, position, shape, values, previous, norms);
    }

    /**
     * A coefficients tensor {@code [n, c, d]} with the given basis norms (d of them).
     *
     * @param layer the layer's name
     * @param position its index among prunable layers
     * @param values the values
     * @param norms the basis kernels' norms
     * @param shape {@code n, c, d}
     * @return the tensor, every value kept before
     */
    public static PrunableTensor weighted(String layer, int position, float[] values, float[] norms, int... shape) {
        return new PrunableTensor(layer, TensorKind.COEFFICIENTS, position, shape, values, all(values.length), norms);
    }

    /**
     * @param n how many
     * @return n keep flags, all true
     */
    public static boolean[] all(int n) {
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        return keep;
    }

    /**
     * @param n how many
     * @param seed the random seed
     * @return n standard normal values, the same for the same seed
     */
    public static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /**
     * @param n how many
     * @param seed the random seed
     * @param keepProbability the chance of each flag being true
     * @return a random previous mask
     */
    public static boolean[] randomMask(int n, long seed, double keepProbability) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            keep[i] = random.nextDouble() < keepProbability;
        }
        return keep;
    }

    /**
     * @param outcome a strategy's answer
     * @return its masks, failing the test when it refused
     */
    public static List<TensorMask> masks(MaskOutcome outcome) {
        return assertInstanceOf(MaskOutcome.Masks.class, outcome).masks();
    }

    /**
     * @param outcome a strategy's answer
     * @return why it refused, failing the test when it gave masks
     */
    public static String refusal(MaskOutcome outcome) {
        return assertInstanceOf(MaskOutcome.Invalid.class, outcome).reason();
    }

    /**
     * @param keep keep flags
     * @return how many are true
     */
    public static int kept(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        return n;
    }

    /**
     * @param masks masks
     * @return how many values they keep in all
     */
    public static int kept(List<TensorMask> masks) {
        return masks.stream().mapToInt(m -> kept(m.keep())).sum();
    }

    /**
     * @param amount a fraction as a request writes it
     * @param kept how many values are kept
     * @return round(amount × kept), half rounded up, computed in decimal
     */
    public static int rounded(String amount, int kept) {
        return new BigDecimal(amount).multiply(BigDecimal.valueOf(kept)).setScale(0, RoundingMode.HALF_UP)
                .intValueExact();
    }

    /**
     * @param tensors tensors
     * @return how many values their previous masks keep in all
     */
    public static int keptBefore(List<PrunableTensor> tensors) {
        return tensors.stream().mapToInt(PrunableTensor::kept).sum();
    }

    /**
     * Asserts the mask contract's shape: one mask per tensor, in order, named for its layer, one flag per value.
     *
     * @param tensors what the strategy was given
     * @param masks what it answered
     */
    public static void assertMasksFit(List<PrunableTensor> tensors, List<TensorMask> masks) {
        assertEquals(tensors.size(), masks.size(), "one mask per tensor");
        for (int i = 0; i < tensors.size(); i++) {
            assertEquals(tensors.get(i).layer(), masks.get(i).layer(), "mask " + i + " names its tensor's layer");
            assertEquals(tensors.get(i).values().length, masks.get(i).keep().length,
                    "mask of " + tensors.get(i).layer() + " has one flag per value");
        }
    }

    /**
     * Asserts that no value a previous mask pruned is kept.
     *
     * @param tensors what the strategy was given
     * @param masks what it answered
     */
    public static void assertPreviousZerosStayZero(List<PrunableTensor> tensors, List<TensorMask> masks) {
        for (int t = 0; t < tensors.size(); t++) {
            boolean[] before = tensors.get(t).previousMask();
            boolean[] after = masks.get(t).keep();
            for (int i = 0; i < before.length; i++) {
                assertFalse(after[i] && !before[i], tensors.get(t).layer() + " value " + i + " was revived");
            }
        }
    }

    /**
     * A configuration annotation as DS would build it from properties: each method answers the value given under
     * its name, else its default.
     *
     * @param <A> the configuration type
     * @param type the configuration type
     * @param values values by method name
     * @return the configuration
     */
    public static <A extends Annotation> A config(Class<A> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> answer(type, method, values)));
    }

    private static Object answer(Class<?> type, Method method, Map<String, Object> values) {
        return switch (method.getName()) {
            case "annotationType" -> type;
            case "toString" -> type.getSimpleName() + values;
            case "hashCode" -> values.hashCode();
            case "equals" -> false;
            default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
        };
    }
}
