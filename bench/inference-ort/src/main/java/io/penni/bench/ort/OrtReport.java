package io.penni.bench.ort;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Markdown of an {@link OrtBenchmark} run: per model, the median latency of every runtime and form at every
 * batch with its ratio to ONNX Runtime on the dense original, the spread of the medians across fresh processes, and
 * memory; then the goals, each with the ratio measured.
 */
final class OrtReport {

    private OrtReport() {
    }

    static String markdown(JsonNode report, List<String> variants, List<String> descriptions) {
        JsonNode machine = report.get("machine");
        StringBuilder md = new StringBuilder();
        md.append("# Our engine against ONNX Runtime\n\n");
        md.append(String.format(Locale.ROOT, "Commit %s, %s. %s, %d cores, Java %s, ONNX Runtime 1.20.0 (Java). "
                + "FMA peak %.0f GFLOP/s on 2 threads (%s). Load average at start %s, at end %s; %.0f minutes.%n%n",
                report.get("commit").asText(), report.get("date").asText(), machine.get("cpu").asText(),
                machine.get("cores").asInt(), machine.get("java").asText(), machine.get("fmaPeakGflops2Threads")
                        .asDouble(), machine.get("fmaPeakMethod").asText(), machine.get("loadAverageAtStart").asText(),
                machine.get("loadAverageAtEnd").asText(), machine.get("minutes").asDouble()));
        md.append("Each figure is the median over rounds of one fresh process's median latency (warm-up 3 s, the JIT settled, then ")
                .append("timed runs for 2 s, 10 to 400 of them); the processes ran in turns that rotate each round. ")
                .append("Every process ran with the same JVM flags (`").append(String.join(" ", texts(report.get("jvm"))))
                .append("`) and the same seeded input. Ratios are to ONNX Runtime running the dense original with 2 ")
                .append("threads (`ort-dense`), the runtime a user would deploy instead. Spread: the largest ")
                .append("distance of one process's median from the median of all, in percent.\n\n");
        for (int i = 0; i < variants.size(); i++) {
            md.append("- `").append(variants.get(i)).append("`: ").append(descriptions.get(i)).append('\n');
        }
        md.append('\n');
        JsonNode runs = report.get("runs");
        TreeSet<Integer> batches = new TreeSet<>();
        runs.forEach(r -> batches.add(r.get("batch").asInt()));
        List<String> goals = new ArrayList<>();
        for (var entry : iterable(report.get("models").fields())) {
            String model = entry.getKey();
            JsonNode info = entry.getValue();
            md.append("## ").append(model).append("\n\n").append(info.get("kind").asText()).append(String.format(
                    Locale.ROOT, "; %.1f M MACs per image dense, %.2f M compressed.%n%n",
                    info.get("denseMacsPerImage").asDouble() / 1e6, info.get("compressedMacsPerImage").asDouble() / 1e6));
            md.append("| runtime, form |");
            batches.forEach(b -> md.append(" batch ").append(b).append(" ms (p90) | × ORT dense | spread |"));
            md.append("\n|---|");
            batches.forEach(b -> md.append("---:|---:|---:|"));
            md.append('\n');
            for (String variant : variants) {
                md.append("| `").append(variant).append("` |");
                for (int batch : batches) {
                    double[] medians = values(runs, model, batch, variant, "medianMs");
                    double[] reference = values(runs, model, batch, "ort-dense", "medianMs");
                    if (medians.length == 0) {
                        md.append(" – | – | – |");
                        continue;
                    }
                    double m = median(medians);
                    md.append(String.format(Locale.ROOT, " %.3f (%.3f) | %.2f | ±%.0f %% |", m,
                            median(values(runs, model, batch, variant, "p90Ms")), m / median(reference),
                            spread(medians) * 100));
                }
                md.append('\n');
            }
            md.append("\nMemory, batch ").append(memoryBatch(batches)).append(": resident memory a loaded model adds ")
                    .append("to its process (after its runs, against before loading it) and the process's peak; ")
                    .append("weights on disk.\n\n| runtime, form | RSS added MB | peak RSS MB |\n|---|---:|---:|\n");
            int b = memoryBatch(batches);
            for (String variant : variants) {
                double[] added = diff(runs, model, b, variant);
                if (added.length == 0) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f |%n", variant, median(added) / 1024,
                        median(values(runs, model, b, variant, "peakRssKb")) / 1024));
            }
            md.append("\nOn disk: ");
            List<String> files = new ArrayList<>();
            info.get("bytesOnDisk").fields().forEachRemaining(f -> files.add(String.format(Locale.ROOT, "%s %.2f MB",
                    f.getKey(), f.getValue().asDouble() / 1e6)));
            md.append(String.join(", ", files)).append(".\n\n");
            md.append(String.format(Locale.ROOT, "Outputs agree: largest relative difference of the first logits, "
                    + "ORT's two exports against our engine on the compressed model %.1e, ORT against our engine on the "
                    + "dense model %.1e.%n%n", disagreement(runs, model, "engine", List.of("ort-factored",
                            "ort-compressed-dense")), disagreement(runs, model, "engine-dense",
                                    List.of("ort-dense", "ort-dense-1t"))));
            goals.addAll(goals(runs, model, batches));
        }
        md.append("## The goals, as measured in this run\n\n");
        goals.forEach(g -> md.append("- ").append(g).append('\n'));
        return md.toString();
    }

    private static List<String> goals(JsonNode runs, String model, TreeSet<Integer> batches) {
        List<String> lines = new ArrayList<>();
        for (int batch : batches) {
            double ort = median(values(runs, model, batch, "ort-dense", "medianMs"));
            double engine = median(values(runs, model, batch, "engine", "medianMs"));
            double goal = batch == 1 ? 0.5 : 0.3;
            lines.add(String.format(Locale.ROOT, "%s, batch %d: compressed on our engine %.2f× ORT dense (goal ≤ %.1f): %s",
                    model, batch, engine / ort, goal, engine / ort <= goal ? "met" : "not met"));
            double best = Math.min(median(values(runs, model, batch, "ort-factored", "medianMs")),
                    median(values(runs, model, batch, "ort-compressed-dense", "medianMs")));
            lines.add(String.format(Locale.ROOT, "%s, batch %d: our engine %.2f× ORT's faster export of the same "
                    + "compressed model (goal < 1): %s", model, batch, engine / best, engine < best ? "met" : "not met"));
            if (batch == 32) {
                double dense = median(values(runs, model, batch, "engine-dense", "medianMs"));
                lines.add(String.format(Locale.ROOT, "%s, batch 32: our dense path %.2f× ORT dense (goal ≤ 1.5): %s",
                        model, dense / ort, dense / ort <= 1.5 ? "met" : "not met"));
            }
        }
        int b = memoryBatch(batches);
        double engineAdded = median(diff(runs, model, b, "engine"));
        double ortAdded = median(diff(runs, model, b, "ort-dense"));
        double enginePeak = median(values(runs, model, b, "engine", "peakRssKb"));
        double ortPeak = median(values(runs, model, b, "ort-dense", "peakRssKb"));
        lines.add(String.format(Locale.ROOT, "%s: RSS added by the compressed model on our engine %.1f MB, by the dense "
                + "one on ORT %.1f MB (goal ≤): %s; peak %.0f MB against %.0f MB, %.2f× (goal ≤ 2): %s", model,
                engineAdded / 1024, ortAdded / 1024, engineAdded <= ortAdded ? "met" : "not met", enginePeak / 1024,
                ortPeak / 1024, enginePeak / ortPeak, enginePeak <= 2 * ortPeak ? "met" : "not met"));
        return lines;
    }

    /** The largest relative difference, over every batch and round, between one variant's logits and others'. */
    private static double disagreement(JsonNode runs, String model, String reference, List<String> others) {
        double worst = 0;
        for (JsonNode r : runs) {
            if (!r.get("model").asText().equals(model) || !r.get("variant").asText().equals(reference)) {
                continue;
            }
            for (JsonNode o : runs) {
                if (o.get("model").asText().equals(model) && o.get("batch").asInt() == r.get("batch").asInt()
                        && others.contains(o.get("variant").asText())) {
                    JsonNode a = r.get("firstLogits");
                    JsonNode b = o.get("firstLogits");
                    double scale = 1e-6;
                    for (JsonNode v : a) {
                        scale = Math.max(scale, Math.abs(v.asDouble()));
                    }
                    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                        worst = Math.max(worst, Math.abs(a.get(i).asDouble() - b.get(i).asDouble()) / scale);
                    }
                }
            }
        }
        return worst;
    }

    private static int memoryBatch(TreeSet<Integer> batches) {
        return batches.contains(32) ? 32 : batches.last();
    }

    private static double[] diff(JsonNode runs, String model, int batch, String variant) {
        double[] before = values(runs, model, batch, variant, "rssBeforeLoadKb");
        double[] after = values(runs, model, batch, variant, "rssAfterRunsKb");
        double[] d = new double[before.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    private static double[] values(JsonNode runs, String model, int batch, String variant, String field) {
        List<Double> v = new ArrayList<>();
        for (JsonNode r : runs) {
            if (r.get("model").asText().equals(model) && r.get("batch").asInt() == batch
                    && r.get("variant").asText().equals(variant)) {
                v.add(r.get(field).asDouble());
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double spread(double[] values) {
        double m = median(values);
        double worst = 0;
        for (double v : values) {
            worst = Math.max(worst, Math.abs(v - m) / m);
        }
        return worst;
    }

    private static List<String> texts(JsonNode array) {
        List<String> t = new ArrayList<>();
        array.forEach(n -> t.add(n.asText()));
        return t;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        return () -> iterator;
    }
}
