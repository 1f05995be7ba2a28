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
    private Kernels chosen;

    KernelStep(String layer, String kind, Value output, Map<String, Kernels> kernels, int group) {
        super(layer, kind, output);
        this.kernels = kernels;
        this.group = group;
        this.chosen = kernels.values().iterator().next();
    }

    /** @return the kernels this step runs on now */
    final Kernels kernels() {
        return chosen;
    }

    /** @return the kernel sets to choose between, by name */
    final Map<String, Kernels> kernelSets() {
        return kernels;
    }

    final void kernels(String name) {
        chosen = kernels.get(name);
    }

    @Override
    final int group() {
        return group;
    }

    @Override
    void run(Frame frame, int image, Scratch scratch) {
        runGroup(frame, image, 1, scratch);
    }

    @Override
    List<String> candidates() {
        return kernels.size() > 1 ? new ArrayList<>(kernels.keySet()) : List.of();
    }

    @Override
    void choose(String candidate) {
        kernels(candidate);
    }

    @Override
    String chosen() {
        return "dense-" + chosen.name();
    }
}
