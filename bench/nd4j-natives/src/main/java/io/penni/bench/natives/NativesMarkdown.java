package io.penni.bench.natives;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders {@link NativesResults} as {@code bench/results/nd4j-natives.md}: tables, the chosen build and why. */
final class NativesMarkdown {

    private NativesMarkdown() {
    }

    static String render(NativesResults r) {
        StringBuilder md = new StringBuilder();
        md.append("# ND4J native builds: SameDiff 3×3 conv2d forward + backward\n\n");
        md.append("Measured by `bench/nd4j-natives/run.sh` from ").append(r.measured()).append("; written on ")
                .append(r.date()).append(" from `nd4j-natives.json` beside this file.\n\n");
        md.append("- Machine: ").append(r.machine().cpuModel()).append(", ").append(r.machine().cores())
                .append(" cores (AVX2: ").append(yesNo(r.machine().cpuFlags().contains("avx2")))
                .append(", AVX-512F: ").append(yesNo(r.machine().cpuFlags().contains("avx512f"))).append("), ")
                .append(r.machine().os()).append(", Java ").append(r.machine().javaVersion()).append('\n');
        md.append("- Operation: ").append(r.method().operation()).append('\n');
        md.append("- Method: ").append(r.method().rounds()).append(" rounds; ").append(r.method().order())
                .append("; per JVM and shape ").append(r.method().warmupPerShape()).append(" warm-up + ")
                .append(r.method().iterationsPerShape()).append(" timed iterations. ").append(r.method().statistics())
                .append(".\n");
        md.append("- The machine is shared with other builds (2 cores): absolute times are noisy; the ratios between"
                + " builds, measured interleaved in one run, are what this benchmark is for. The load average column"
                + " is the machine's 1-minute load while each build ran (median over its JVMs): above 2, other work"
                + " was taking cores from ND4J's two OpenMP threads.\n\n");

        md.append("## Chosen default: `").append(r.chosen().classifier()).append("`\n\n");
        md.append(r.chosen().reason()).append("\n\n");
        NativesResults.HeadToHead h = r.chosenVersusRunnerUp();
        if (!h.runnerUp().equals(h.chosen())) {
            md.append("Round by round, `").append(h.runnerUp()).append("` time / `").append(h.chosen())
                    .append("` time (geometric mean over the shapes of the round medians): ")
                    .append(h.roundRatios().stream().map(x -> String.format(Locale.ROOT, "%.2f", x))
                            .collect(Collectors.joining(", ")))
                    .append(".\n\n");
        }
        md.append("Fastest measured overall: `").append(r.fastestOverall().classifier()).append("` (")
                .append(r.fastestOverall().reason()).append(").\n\n");

        md.append("## Summary\n\n");
        md.append("| build | needs | oneDNN loaded | binary level | default-safe | geo-mean speedup vs `")
                .append(r.reference()).append("` | max norm difference vs `").append(r.reference())
                .append("` | ND4J start (ms) | load average |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (NativesResults.BuildSummary b : r.builds()) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %d | %s | %.2f× | %.1e | %.0f | %.1f |%n",
                    b.classifier(), b.simd(), yesNo(b.onednn()), b.evidence().binaryLevel(), yesNo(b.safeAsDefault()),
                    b.geometricMeanSpeedup(), b.maxRelativeDifference(), b.backendStartMillisMedian(),
                    b.loadAverageMedian()));
        }
        md.append('\n');

        List<ConvShape> shapes = r.builds().get(0).shapes().stream().map(NativesResults.ShapeSummary::shape).toList();
        for (int i = 0; i < shapes.size(); i++) {
            ConvShape shape = shapes.get(i);
            md.append("## ").append(shape.name()).append(", batch ").append(shape.batch()).append("\n\n");
            md.append("| build | median ms | p90 ms | images/s | speedup | samples | round medians (ms) |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (NativesResults.BuildSummary b : r.builds()) {
                NativesResults.ShapeSummary s = b.shapes().get(i);
                md.append(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f | %.0f | %.2f× | %d | %s |%n",
                        b.classifier(), s.medianMillis(), s.p90Millis(), s.imagesPerSecond(), s.speedup(), s.samples(),
                        s.roundMedians().stream().map(m -> String.format(Locale.ROOT, "%.0f", m))
                                .collect(Collectors.joining(" / "))));
            }
            md.append('\n');
        }

        md.append("## What loaded\n\n");
        md.append("Each JVM was started with `-Dorg.bytedeco.javacpp.platform.extension=<extension>` and only that"
                + " build's jar; before timing, it read back the library JavaCPP loaded, ND4J's build information and"
                + " libnd4j's `binaryLevel()` (1 generic, 2 AVX2, 3 AVX-512), and stopped unless all three matched the"
                + " build asked for.\n\n");
        md.append("| build | jnind4jcpu loaded from | build information |\n|---|---|---|\n");
        for (NativesResults.BuildSummary b : r.builds()) {
            String library = b.evidence().libraries().getOrDefault("jnind4jcpu", "(none)");
            int bindings = library.indexOf("bindings/");
            md.append("| `").append(b.classifier()).append("` | `…/")
                    .append(bindings >= 0 ? library.substring(bindings) : library).append("` | ")
                    .append(b.evidence().buildInfo().lines().map(String::strip).filter(l -> l.startsWith("HAVE_"))
                            .collect(Collectors.joining(", ")))
                    .append(" |\n");
        }
        md.append('\n');

        if (!r.onednnKernels().isEmpty()) {
            md.append("## oneDNN kernels\n\n");
            md.append("One small conv2d forward + backward per oneDNN build with `DNNL_VERBOSE=1`:\n\n");
            md.append("| build | ISA oneDNN reports | convolution kernels |\n|---|---|---|\n");
            for (NativesResults.OnednnKernels k : r.onednnKernels()) {
                md.append("| `").append(k.build()).append("` | ").append(k.isa()).append(" | ")
                        .append(k.convolutionKernels().stream().map(c -> "`" + c + "`").collect(Collectors.joining(", ")))
                        .append(" |\n");
            }
            md.append('\n');
            boolean same = r.onednnKernels().stream().map(NativesResults.OnednnKernels::convolutionKernels)
                    .distinct().count() == 1;
            if (same && r.onednnKernels().size() > 1) {
                // the reason the oneDNN builds tie on convolutions
                md.append("Every oneDNN build ran the same convolution kernels: oneDNN generates its kernels for the"
                        + " CPU it finds at run time, whatever level the build itself was compiled for. The oneDNN"
                        + " builds therefore differ only in libnd4j's own code (element-wise ops, reductions, the"
                        + " non-oneDNN fallbacks), which this benchmark times only as far as the loss and the"
                        + " SameDiff bookkeeping around the convolution.\n\n");
            }
        }

        md.append("## Off-heap memory caps\n\n");
        md.append("A JVM with `-Xmx256m` asks ND4J for a float array of the size shown and fills it, then allocates"
                + " one small array more.\n\n");
        md.append("| configuration | JavaCPP settings | array bytes | outcome |\n|---|---|---|---|\n");
        for (OffHeapCapCheck.Outcome c : r.offHeapCaps()) {
            md.append("| ").append(c.label()).append(" | `").append(c.settings()).append("` | ")
                    .append(c.requestedBytes()).append(" | ")
                    .append(c.capHeld()
                            ? "refused: " + String.join(" ← ", c.errors())
                            : c.refused() ? "refused without naming a cap: " + String.join(" ← ", c.errors())
                            : String.format(Locale.ROOT, "**allocated** past the cap (resident memory %d MB before, %d MB after)",
                                    c.physicalBytesBefore() >> 20, c.physicalBytesAfter() >> 20))
                    .append(" |\n");
        }
        md.append('\n');
        boolean someAllocatedPastCap = r.offHeapCaps().stream().anyMatch(c -> !c.refused());
        boolean someHeld = r.offHeapCaps().stream().anyMatch(OffHeapCapCheck.Outcome::capHeld);
        if (someAllocatedPastCap && someHeld) {
            // why one setting binds and the other does not, so nobody relies on the wrong one
            md.append("ND4J 1.0.0-M2.1 allocates array memory in libnd4j, not through JavaCPP pointers, so JavaCPP's"
                    + " `maxbytes` (which counts only its own pointers) does not bound arrays. `maxphysicalbytes` is"
                    + " checked against the process's resident memory (heap included) whenever ND4J next allocates"
                    + " through a JavaCPP pointer (shape information, for example), so it is the setting that makes"
                    + " an oversized allocation fail with an OutOfMemoryError naming the cap. (The launcher sets"
                    + " `maxbytes` from `penni.offheap.max` and `maxphysicalbytes` from `penni.offheap.physical.max`"
                    + " in runtime-config/launcher.properties; the latter's 0 leaves the check off.)\n\n");
        }
        md.append("## Reproduce\n\n```\nbench/nd4j-natives/run.sh\n```\n");
        return md.toString();
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
