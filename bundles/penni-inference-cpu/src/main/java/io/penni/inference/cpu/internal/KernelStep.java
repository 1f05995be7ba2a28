package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A step whose inner loops run on one of several {@link Kernels}, chosen by measurement, and which may take a
 * group of images at once.
 */
abstract class KernelStep extends Step {

    private final Map<String, Kernels> kernels;
    private final int group;
    private Kernels one;
    private Kernels grouped;

    KernelStep(String layer, String kind, Value output, Map<String, Kernels> kernels, int group) {
        super(layer, kind, output);
        this.kernels = kernels;
        this.group = group;
        this.one = kernels.values().iterator().next();
        this.grouped = one;
    }

    /**
     * @param batch for {@link #runGroup}, else image by image
     * @return the kernels this step runs on that way
     */
    final Kernels kernels(boolean batch) {
        return batch ? grouped : one;
    }

    /** @return the kernel sets to choose between, by name */
    final Map<String, Kernels> kernelSets() {
        return kernels;
    }

    final void kernels(String name, boolean batch) {
        if (batch) {
            grouped = kernels.get(name);
        } else {
            one = kernels.get(name);
        }
    }

    @Override
    final int group() {
        return group;
    }

    @Override
    void run(Frame frame, int image, Scratch scratch) {
        compute(frame, image, 1, scratch, false);
    }

    @Override
    void runGroup(Frame frame, int from, int count, Scratch scratch) {
        compute(frame, from, count, scratch, true);
    }

    /**
     * Runs images {@code [from, from + count)} on one thread.
     *
     * @param batch whether as part of a batch ({@link #runGroup}) or image by image ({@link #run})
     */
    abstract void compute(Frame frame, int from, int count, Scratch scratch, boolean batch);

    @Override
    List<String> candidates() {
        return kernels.size() > 1 ? new ArrayList<>(kernels.keySet()) : List.of();
    }

    @Override
    void choose(String candidate, boolean batch) {
        kernels(candidate, batch);
    }

    @Override
    String chosen(boolean batch) {
        return "dense-" + kernels(batch).name();
    }
}
