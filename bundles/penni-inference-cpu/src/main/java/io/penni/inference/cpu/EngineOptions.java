package io.penni.inference.cpu;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine runs.
 *
 * @param threads threads per batch, the caller's included (the machine's cores is the useful maximum)
 * @param kernels which kernel implementations layers may choose between
 * @param tuneBudget time spent measuring the candidates of each layer at load time (at least three timed turns
 *        of each candidate); zero: no timing, every choice made by rule from the layer's shape and density, so
 *        the same model gets the same kernels in every process
 * @param split whether a single image's layers are spread over the threads
 * @param coefficients how decomposed layers hold their coefficients
 */
public record EngineOptions(int threads, KernelSet kernels, Duration tuneBudget, Split split,
        Coefficients coefficients) {

    /** How a decomposed layer's coefficient convolution runs. */
    public enum Coefficients {
        /**
         * Per layer by rule from its density, without tuning: dense above half the coefficients, fused sparse tiles
         * above a tenth, banded sparse below.
         */
        MEASURED,
        /** Compressed rows of the non-zero coefficients only: the least memory, whatever the speed. */
        SPARSE,
        /** A dense matrix product over every coefficient. */
        DENSE,
        /**
         * As {@link #MEASURED}, but sparse coefficients always banded (a band's C·d maps made whole, then read row
         * by row), never fused with the basis maps tile by tile nor in the compact form of small maps; for
         * comparisons.
         */
        BANDED;

        /**
         * @param candidate a step's candidate kernel name
         * @return whether this setting lets a layer choose it
         */
        public boolean allows(String candidate) {
            return switch (this) {
                case MEASURED -> true;
                case SPARSE -> !candidate.startsWith("dense-");
                case DENSE -> !candidate.startsWith("sparse-") && !candidate.startsWith("fused-")
                        && !candidate.startsWith("compact-");
                case BANDED -> !candidate.startsWith("fused-") && !candidate.startsWith("compact-");
            };
        }
    }

    /** Whether batch-1 runs spread a layer over the threads. */
    public enum Split {
        /** Per layer, whichever measured faster (by rule, from its work, without tuning). */
        MEASURED,
        /** Every layer that can be split (for tests of the split path). */
        ALWAYS,
        /** None. */
        NEVER
    }

    /** Which kernel implementations the engine offers its layers. */
    public enum KernelSet {
        /** Both, where the JVM has the Vector API; each layer keeps the faster (the Vector API, without tuning). */
        MEASURED,
        /** Plain loops only (what C2 vectorises by itself). */
        PLAIN,
        /** The Vector API only; falls back to plain loops where the JVM lacks the module. */
        VECTOR
    }

    /** Checks the fields. */
    public EngineOptions {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(tuneBudget, "tuneBudget");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(coefficients, "coefficients");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        if (tuneBudget.isNegative()) {
            throw new IllegalArgumentException("tuneBudget must not be negative, was " + tuneBudget);
        }
    }

    /**
     * Options whose coefficient paths are measured.
     *
     * @param threads threads per batch
     * @param kernels kernel implementations
     * @param tuneBudget tuning time per layer
     * @param split batch-1 splitting
     */
    public EngineOptions(int threads, KernelSet kernels, Duration tuneBudget, Split split) {
        this(threads, kernels, tuneBudget, split, Coefficients.MEASURED);
    }

    /** @return every core, both kernel sets, no tuning: every choice by rule, the same in every process */
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), KernelSet.MEASURED, Duration.ZERO,
                Split.MEASURED);
    }

    /**
     * @param value how decomposed layers hold their coefficients
     * @return these options with that setting
     */
    public EngineOptions withCoefficients(Coefficients value) {
        return new EngineOptions(threads, kernels, tuneBudget, split, value);
    }
}
