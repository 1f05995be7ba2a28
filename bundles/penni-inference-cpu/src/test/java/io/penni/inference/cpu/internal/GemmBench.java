package io.penni.inference.cpu.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import io.penni.api.model.Padding;

/**
 * Kernel microbenchmark (not a test): the dense convolutions of vgg-small as {@link ConvStep} runs them in a
 * batch, every output channel's product on the staged rows, timed in thread CPU time so that a busy machine
 * does not skew it. Prints GFLOP/s of CPU time per layer for {@link VectorKernels#gemm} (its 4-row × 2-vector
 * block, the engine's only block before issue 15) and {@link VectorKernels#gemmPacked} on the packed weight (the
 * 8-row × 3-vector block), interleaved in each round.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp test-classes:classes:... 
 * io.penni.inference.cpu.internal.GemmBench [rounds]}
 */
public final class GemmBench {

    private GemmBench() {
    }

    /** One layer: input channels, side, output channels. */
    private record Layer(String name, int channels, int side, int out) {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Kernels k = VectorSupport.kernels().orElseThrow();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Layer[] layers = {new Layer("pool1", 32, 28, 32), new Layer("relu3", 32, 14, 64),
            new Layer("pool2", 64, 14, 64), new Layer("relu5", 64, 7, 128), new Layer("pool3", 128, 7, 128)};
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (Layer l : layers) {
                ConvGeometry g = new ConvGeometry(l.channels(), l.side(), l.side(), 3, 1, Padding.of(1), l.side(),
                        l.side());
                int images = g.groupFor(l.channels(), Step.GROUP_BUDGET);
                int depth = l.channels() * 9;
                int len = g.length(images);
                float[] stage = KernelsTest.random(g.stageFloats(l.channels(), images), 1);
                int[] rows = g.rows(l.channels(), images);
                float[] w = KernelsTest.random(l.out() * depth, 2);
                float[] acc = new float[Step.ROW_BLOCK * len];
                long macs = (long) l.out() * depth * len;
                int reps = (int) Math.max(1, 200_000_000L / macs);
                line.append(' ').append(l.name()).append(" (").append(images).append(" images)");
                float[] packed = Kernels.pack(w, 0, depth, l.out(), depth);
                for (boolean wide : new boolean[] {false, true}) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (int r = 0; r < reps; r++) {
                        for (int n = 0; n < l.out(); n += Step.ROW_BLOCK) {
                            if (wide) {
                                k.gemmPacked(packed, n * depth, 0, Step.ROW_BLOCK, depth, stage, rows, 0, acc, 0, len,
                                        len);
                            } else {
                                k.gemm(w, n * depth, depth, Step.ROW_BLOCK, depth, stage, rows, 0, acc, 0, len, len);
                            }
                        }
                    }
                    long ns = mx.getCurrentThreadCpuTime() - t0;
                    line.append(String.format(" %s %.1f", wide ? "8x3 packed" : "4x2", 2.0 * macs * reps / ns));
                }
            }
            System.out.println(line + "  (GFLOP/s per CPU second)");
        }
    }
}
