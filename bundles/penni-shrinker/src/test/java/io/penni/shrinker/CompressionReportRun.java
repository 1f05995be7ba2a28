package io.penni.shrinker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.Decomposition;
import io.penni.decomposer.DecompositionSettings;
import io.penni.decomposer.LayerDecomposition;
import io.penni.model.Architectures;
import io.penni.model.CompressionReport;
import io.penni.model.CompressionReports;
import io.penni.model.NetworkShapes;
import io.penni.model.ReferenceForward;
import io.penni.pruner.PruneResult;
import io.penni.pruner.Pruning;
import io.penni.pruner.PruningOutcome;
import io.penni.strategy.std.internal.StdThresholdStrategy;

/**
 * Runs decompose (d = 5) → std-threshold prune (s given) → shrink on built-in architectures with seeded random
 * (untrained) weights and writes what it measured: decomposition errors, sparsity, the compression report, and
 * the largest difference between the pruned and the shrunk model's logits. Untrained weights say nothing about
 * accuracy; this shows the mechanics and the report on real architectures. Run by bench/compression-report/run.
 */
public final class CompressionReportRun {

    private CompressionReportRun() {
    }

    /**
     * Runs.
     *
     * @param args the results folder, the std rule's s, then architecture names
     * @throws IOException if the results cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args[0]);
        Files.createDirectories(results);
        List<String> json = new ArrayList<>();
        StringBuilder markdown = new StringBuilder("# Compression reports (random, untrained weights)\n\n");
        markdown.append("d = 5, std-threshold s = ").append(args[1]).append("\n\n");
        String s = args[1];
        for (int a = 2; a < args.length; a++) {
            String architecture = args[a];
            long start = System.nanoTime();
            Model dense = Architectures.create(architecture, 1);
            Decomposition decomposition = BasisDecomposer.decompose(dense, DecompositionSettings.paper());
            PruningOutcome outcome = Pruning.prune(decomposition.model(), "std-threshold", new StdThresholdStrategy(),
                    Map.of("s", s));
            PruneResult pruned = ((PruningOutcome.Pruned) outcome).result();
            ShrinkPlan plan = ChannelShrinker.plan(pruned.model());
            Model shrunk = plan.apply(pruned.model());
            double seconds = (System.nanoTime() - start) / 1e9;
            double difference = maxAbsDiff(pruned.model(), shrunk);
            int removed = removedChannels(pruned.model(), plan);
            CompressionReport report = CompressionReports.build(dense, pruned.model(), shrunk);
            double worst = decomposition.layers().stream().mapToDouble(LayerDecomposition::relativeError).max()
                    .orElse(0);
            double mean = decomposition.layers().stream().mapToDouble(LayerDecomposition::relativeError).average()
                    .orElse(0);
            json.add(String.format(Locale.ROOT, "    {\"architecture\": \"%s\", \"decomposition_relative_error\": "
                    + "{\"mean\": %.4f, \"max\": %.4f}, \"pruned_sparsity\": %.4f, \"conv_output_channels_removed\": "
                    + "%d, \"max_abs_logit_difference_shrunk_vs_pruned\": %.3g, \"compress_seconds\": %.2f,\n"
                    + "     \"report\": %s}", architecture, mean, worst, pruned.sparsity(), removed,
                    difference, seconds, CompressionReports.json(report).strip().replace("\n", "\n     ")));
            markdown.append(CompressionReports.markdown(report)).append(String.format(Locale.ROOT,
                    "%nmax |logit(shrunk) − logit(pruned)| = %.3g on 2 random images%n%n", difference));
            System.out.printf(Locale.ROOT, "%s: sparsity %.1f%%, %d channels removed, max diff %.3g (%.1f s)%n",
                    architecture, 100 * pruned.sparsity(), removed, difference, seconds);
        }
        String name = "compression-report-s" + s;
        Files.writeString(results.resolve(name + ".json"), "{\n  \"benchmark\": \"compression-report\",\n"
                + "  \"java\": \"" + System.getProperty("java.version") + "\",\n  \"weights\": \"seeded random, "
                + "untrained (seed 1)\",\n  \"decomposition_bases\": 5,\n  \"std_threshold_s\": " + s
                + ",\n  \"results\": [\n" + String.join(",\n", json) + "\n  ]\n}\n");
        Files.writeString(results.resolve(name + ".md"), markdown.toString());
    }

    /** Output channels removed from convolutions (dense and decomposed). */
    private static int removedChannels(Model model, ShrinkPlan plan) {
        return model.network().layers().stream()
                .filter(l -> l instanceof Layer.Conv2d || l instanceof Layer.DecomposedConv2d)
                .map(l -> plan.layer(l.name()).orElseThrow())
                .mapToInt(l -> l.outputs().before() - l.outputs().after()).sum();
    }

    private static double maxAbsDiff(Model a, Model b) {
        ActivationShape input = NetworkShapes.input(a.network());
        SplittableRandom random = new SplittableRandom(3);
        float[] data = new float[2 * (int) input.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        Tensor images = new Tensor(new int[] {2, input.channels(), input.height(), input.width()}, data);
        float[] x = ReferenceForward.forward(a, images).data();
        float[] y = ReferenceForward.forward(b, images).data();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((double) x[i] - y[i]));
        }
        return max;
    }
}
