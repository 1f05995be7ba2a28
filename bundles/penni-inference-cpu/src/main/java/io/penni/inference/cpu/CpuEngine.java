package io.penni.inference.cpu;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.inference.cpu.internal.KernelWarmup;
import io.penni.inference.cpu.internal.Kernels;
import io.penni.inference.cpu.internal.NetworkCompiler;
import io.penni.inference.cpu.internal.PlainKernels;
import io.penni.inference.cpu.internal.Program;
import io.penni.inference.cpu.internal.VectorSupport;
import io.penni.inference.cpu.internal.WorkerPool;
import io.penni.model.ModelException;

/**
 * The CPU inference engine. It owns a fixed pool of threads that every model it loads shares; close it to
 * stop them. Loading compiles the model ({@link CpuModel#plan()} says how) and chooses each layer's kernels: by
 * rule from its shape and density (no tuning budget: the same choice in every process), or by timing the
 * candidates on the layer's real shape (about {@code tuneBudget} per layer).
 */
public final class CpuEngine implements AutoCloseable {

    /** The backend name requests use. */
    public static final String BACKEND = "cpu";

    private final EngineOptions options;
    private final WorkerPool pool;
    private final Map<String, Kernels> kernels;

    /**
     * Starts the engine's threads.
     *
     * @param options threads, kernels and tuning time
     */
    public CpuEngine(EngineOptions options) {
        this.options = options;
        this.pool = new WorkerPool(options.threads());
        this.kernels = kernels(options.kernels());
        this.kernels.values().forEach(KernelWarmup::warm);
    }

    private static Map<String, Kernels> kernels(EngineOptions.KernelSet set) {
        Map<String, Kernels> k = new LinkedHashMap<>();
        Optional<Kernels> vector = set == EngineOptions.KernelSet.PLAIN ? Optional.empty() : VectorSupport.kernels();
        vector.ifPresent(v -> k.put(v.name(), v));
        if (set != EngineOptions.KernelSet.VECTOR || vector.isEmpty()) {
            k.put(PlainKernels.INSTANCE.name(), PlainKernels.INSTANCE);
        }
        return k;
    }

    /** @return the backend's name, device and threads */
    public BackendInfo info() {
        return new BackendInfo(BACKEND, options.threads() + " CPU threads of " + Runtime.getRuntime()
                .availableProcessors() + " cores, kernels " + String.join(" + ", kernels.keySet()),
                options.threads());
    }

    /**
     * Compiles and tunes a model. Never throws for a model it cannot run.
     *
     * @param model the model
     * @return {@link LoadOutcome.Loaded} with a {@link CpuModel}, or {@link LoadOutcome.Unsupported} naming the
     *         layer or parameter it cannot run
     */
    public LoadOutcome load(Model model) {
        Program program;
        try {
            program = NetworkCompiler.compile(model, kernels, options.threads());
        } catch (ModelException e) {
            return new LoadOutcome.Unsupported(e.getMessage());
        } catch (ArithmeticException | NegativeArraySizeException e) {
            return new LoadOutcome.Unsupported("network " + model.network().name()
                    + ": its buffers are too large for the CPU engine (" + e.getMessage() + ")");
        }
        try {
            if (options.tuneBudget().isZero()) {
                program.decide(options.coefficients()::allows);
            } else {
                program.tune(pool, options.tuneBudget().toNanos(), options.coefficients()::allows);
            }
            if (options.split() != EngineOptions.Split.MEASURED) {
                program.splitAll(options.split() == EngineOptions.Split.ALWAYS);
            }
        } catch (OutOfMemoryError e) {
            return new LoadOutcome.Unsupported("network " + model.network().name()
                    + ": not enough memory to run one image (" + e.getMessage() + ")");
        }
        return new LoadOutcome.Loaded(new CpuModel(program, pool));
    }

    /** Stops the threads; models loaded by this engine then run on the calling thread alone. */
    @Override
    public void close() {
        pool.close();
    }
}
