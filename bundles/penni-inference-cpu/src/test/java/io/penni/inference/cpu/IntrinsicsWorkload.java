package io.penni.inference.cpu;

import java.time.Duration;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;

/**
 * The engine's kernels run long enough for C2 to compile them: compressed stand-ins of vgg-small (fused pooling,
 * short sparse rows) and resnet-small (strides, residual adds) and dense vgg-small, at batch 1 and 32, on one
 * thread and two. {@link VectorIntrinsicsTest} runs it in a child JVM that prints C2's inlining decisions.
 */
public final class IntrinsicsWorkload {

    private IntrinsicsWorkload() {
    }

    /**
     * Runs the workload.
     *
     * @param args ignored
     * @throws Exception when a model does not load
     */
    public static void main(String[] args) throws Exception {
        Model vgg = SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("vgg-small", 1), 5, 1), 0.97, 1);
        Model resnet = SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("resnet-small", 2), 5, 2), 0.97, 2);
        Model dense = TestModels.architecture("vgg-small", 3);
        Model small = TestModels.smallMaps(4); // dense convolutions in the columns form
        Model compact = TestModels.compactMaps(5); // decomposed ones in the compact form
        for (int threads = 1; threads <= 2; threads++) {
            try (CpuEngine engine = new CpuEngine(new EngineOptions(threads, EngineOptions.KernelSet.MEASURED,
                    Duration.ZERO, EngineOptions.Split.MEASURED))) {
                for (Model model : new Model[] {vgg, resnet, dense, small, compact}) {
                    CpuModel m = (CpuModel) ((LoadOutcome.Loaded) engine.load(model)).model();
                    for (int batch : new int[] {1, 32}) {
                        float[] x = new float[Math.toIntExact(batch * m.inputShape().size())];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) Math.sin(i);
                        }
                        int runs = batch == 1 ? 3000 : 150;
                        for (int r = 0; r < runs; r++) {
                            m.run(x, batch);
                        }
                    }
                }
            }
        }
    }
}
