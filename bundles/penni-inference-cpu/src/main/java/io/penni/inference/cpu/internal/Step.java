package io.penni.inference.cpu.internal;

/**
 * One executable step of a compiled network: a layer, possibly with batch norm, ReLU and a residual add
 * fused in. A step runs one image at a time on a thread's scratch; a step that is worth splitting across
 * threads at batch 1 also runs one image on every thread at once.
 */
abstract class Step {

    /** Rows of output a thread computes before its epilogue, matching the vector kernel's widest block. */
    static final int ROW_BLOCK = Kernels.PACK_ROWS;

    /**
     * Floats of staged input (and a decomposed layer's maps) a thread aims for when it runs images of a batch
     * through one step: 384 KB, so they stay in the core's L2 cache (1 MB here) with room for the rest.
     */
    static final int GROUP_BUDGET = 96 * 1024;

    /** Images a step runs together at most: a thread's pass of a batch ({@link Program#PASS}) holds no more. */
    static final int MAX_GROUP = Program.PASS;

    private final String layer;
    private final String kind;
    private final Value output;
    private boolean split;
    private long inputFloats;

    Step(String layer, String kind, Value output) {
        this.layer = layer;
        this.kind = kind;
        this.output = output;
    }

    /** @return the layer (after fusion, the last fused layer's name is the output's) */
    String layer() {
        return layer;
    }

    /** @return what it computes, e.g. {@code conv3x3+bn+relu} */
    String kind() {
        return kind;
    }

    Value output() {
        return output;
    }

    /** @return whether batch-1 runs spread this step over the threads (chosen by measurement) */
    boolean split() {
        return split;
    }

    void split(boolean value) {
        split = value;
    }

    /** @param floats floats per image of the step's inputs, for profiles of the bytes it moves */
    void inputFloats(long floats) {
        inputFloats = floats;
    }

    /** @return floats per image the step reads and writes: its inputs and its output */
    long activationFloats() {
        return inputFloats + output.size();
    }

    /** @return whether splitting this step over threads is possible at all */
    boolean splittable() {
        return false;
    }

    /**
     * Runs one image.
     *
     * @param frame the run's buffers
     * @param image the image
     * @param scratch this thread's arrays
     */
    abstract void run(Frame frame, int image, Scratch scratch);

    /** @return how many images of a batch this step runs together (their rows side by side in one product) */
    int group() {
        return 1;
    }

    /**
     * Runs images {@code [from, from + count)}, {@code count <= group()}, on one thread.
     *
     * @param frame the run's buffers
     * @param from the first image
     * @param count images
     * @param scratch this thread's arrays, sized for {@link #group()} images
     */
    void runGroup(Frame frame, int from, int count, Scratch scratch) {
        for (int image = from; image < from + count; image++) {
            run(frame, image, scratch);
        }
    }

    /**
     * Runs one image on every thread of the pool. Only called when {@link #splittable()}.
     *
     * @param frame the run's buffers
     * @param image the image
     * @param pool the threads
     * @param scratch one scratch per thread; where phases share data it lives in {@code scratch[0]}
     */
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] scratch) {
        run(frame, image, scratch[0]);
    }

    /**
     * @param batch in a batch, else image by image (the chosen kernels may differ)
     * @return the multiply-accumulates one image costs, as this step computes them
     */
    long macs(boolean batch) {
        return 0;
    }

    /** @return bytes of parameters the step holds */
    long weightBytes() {
        return 0;
    }

    /**
     * @param grouped whether for {@link #runGroup} (else for {@link #run}, one image at a time)
     * @return floats of {@link Scratch#stage} it needs
     */
    int stageFloats(boolean grouped) {
        return 0;
    }

    /**
     * @return floats of {@link Scratch#stage} each thread needs when a batch-1 run splits this step (none when it
     *     does not split); by default none, the threads sharing thread 0's
     */
    int splitStageFloats() {
        return 0;
    }

    /**
     * @param grouped whether for {@link #runGroup} (else for {@link #run})
     * @return floats of {@link Scratch#plane} it needs
     */
    int planeFloats(boolean grouped) {
        return 0;
    }

    /**
     * @param grouped whether for {@link #runGroup} (else for {@link #run})
     * @return floats of {@link Scratch#acc} it needs
     */
    int accFloats(boolean grouped) {
        return 0;
    }

    /** @return the choices of kernel this step can measure between; empty for steps with one way to run */
    java.util.List<String> candidates() {
        return java.util.List.of();
    }

    /**
     * Selects one of {@link #candidates()} for one way of running.
     *
     * @param candidate its name
     * @param grouped for {@link #runGroup} (a batch), else for {@link #run} and {@link #runSplit} (image by image)
     */
    void choose(String candidate, boolean grouped) {
        // steps with one way to run have nothing to choose
    }

    /**
     * Chooses among {@link #candidates()} by rule, without timing. By default the first kernel set (the Vector
     * API where the JVM has it).
     *
     * @param allowed which candidates it may choose
     */
    void decide(java.util.function.Predicate<String> allowed) {
        // steps with one way to run, or whose default is the rule, have nothing to choose
    }

    /** Drops what only the candidates not chosen need; called once the choice is final. */
    void release() {
        // most steps keep one form of their parameters
    }

    /**
     * @param grouped for batches, else image by image
     * @return the chosen kernel, for the report
     */
    String chosen(boolean grouped) {
        return "direct";
    }

    /**
     * Splits {@code [0, count)} into {@code parts} ranges whose bounds are multiples of {@code align}.
     *
     * @return the start of range {@code part}
     */
    static int bound(int count, int parts, int part, int align) {
        if (part >= parts) {
            return count;
        }
        int blocks = (count + align - 1) / align;
        return Math.min(count, (int) ((long) blocks * part / parts) * align);
    }
}
