package io.penni.bench.serving;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The load test's results as Markdown: the setting, one table per configuration, the goals. */
final class ServingMarkdown {

    private ServingMarkdown() {
    }

    @SuppressWarnings("unchecked")
    static String write(Map<String, Object> report, List<Deployments.Served> served, List<Map<String, Object>> steps,
            Map<String, Object> summary) {
        StringBuilder md = new StringBuilder();
        md.append("# Serving load test\n\n");
        md.append(String.format(Locale.ROOT, "%s, revision %s, %s. Model: %s. Each step: 1 s warm-up, then %.0f s "
                + "measured; one-image requests (binary tensor extension) sent open-loop at the offered rate by a "
                + "load generator on the same machine (it shares the 2 cores with the server). Batched: max batch "
                + "%s, max queue delay %s µs; single: max batch 1. Latency runs from the moment a request was due to "
                + "the end of its answer; throughput counts the answers that arrived within the measured seconds "
                + "(a backlog served later does not count). Every configuration is warmed up first (4 s at 200 "
                + "req/s, then 4 s at the lower of 800 req/s and the highest rate, so that batched code is compiled). A rate is *held* when ≥ 99 %% of its requests got 200, none 503 or "
                + "failed, and p99 ≤ %.0f ms. CPU per answer: the server process's CPU time (user + system, all its "
                + "threads) over the measured window and the step's 1 s warm-up, divided by the answers in that time; "
                + "the load generator's likewise per request sent: what the two cost of the 2 cores, which a busy "
                + "machine does not change as much as it changes latency. Command: `bench/serving/run`.\n\n",
                report.get("time"), report.get("revision"), report.get("machine"), report.get("source"),
                (Double) report.get("secondsPerStep"), report.get("maxBatch"), report.get("maxQueueDelayMicros"),
                (Double) report.get("p99LimitMs")));
        md.append("## Highest rate held\n\n| configuration | model | backend | batching | held rate (req/s) | "
                + "peak throughput (answers/s) |\n|---|---|---|---|---:|---:|\n");
        for (Deployments.Served s : served) {
            Map<String, Object> row = (Map<String, Object>) summary.get(s.name());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f | %.0f |%n", s.name(), s.model(),
                    s.backend(), s.batched() ? "on" : "off", (Double) row.get("heldRate"),
                    (Double) row.get("peakThroughput")));
        }
        md.append(String.format(Locale.ROOT, "%nGoals (issue 17): dynamic batching ≥ 3× the rate held without it, and ≥ "
                + "ONNX Runtime behind the same endpoint.%n%n- batching gain, our engine: %.2f× — %s%n"
                + "- our engine (compressed, batched) over ORT (dense original, batched): %.2f× — %s%n%n",
                (Double) summary.get("batchingGain"), (Double) summary.get("batchingGain") >= 3 ? "met" : "not met",
                (Double) summary.get("oursOverOrtDense"),
                (Double) summary.get("oursOverOrtDense") >= 1 ? "met" : "not met"));
        for (Deployments.Served s : served) {
            md.append("## ").append(s.name()).append("\n\n| offered (req/s) | answers/s | p50 ms | p99 ms | max ms | mean "
                    + "batch | 503 | failed | held | load | server CPU µs/answer | generator CPU µs/request |\n"
                    + "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|\n");
            for (Map<String, Object> step : steps) {
                if (!step.get("config").equals(s.name())) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %.0f | %.1f | %.2f | %.2f | %.1f | %.1f | %d | %d | %s | %s | %.0f | %.0f |%n",
                        (Double) step.get("offered"), (Double) step.get("throughput"), (Double) step.get("p50Ms"),
                        (Double) step.get("p99Ms"), (Double) step.get("maxMs"), (Double) step.get("meanBatch"),
                        (Long) step.get("rejected503"), (Long) step.get("failed"),
                        (Boolean) step.get("held") ? "yes" : "no", step.get("load"),
                        (Double) step.get("serverCpuMicrosPerAnswer"), (Double) step.get("generatorCpuMicrosPerRequest")));
            }
            md.append('\n');
        }
        return md.toString();
    }
}
