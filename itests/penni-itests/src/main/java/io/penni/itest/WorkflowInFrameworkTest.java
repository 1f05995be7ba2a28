package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.stage.StageNames;
import io.penni.model.Architectures;
import io.penni.model.ModelCounter;
import io.penni.model.ModelFiles;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;
import io.penni.workflow.Topics;

/**
 * The whole product through Kafka, inside the running container: requests published with a plain producer;
 * good ones run through every stage to exactly one {@code job.completed}, bad ones end rejected with their bytes
 * in the DLQ, and the container keeps serving.
 */
@ExtendWith(BundleContextExtension.class)
class WorkflowInFrameworkTest {

    /** A real but tiny job: 512 Fashion-MNIST images, one epoch per training phase. */
    static String tinyRequest(String jobId) {
        return """
                {"jobId": "%s", "model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 512, "testLimit": 256},
                 "pretrain": {"epochs": 1, "batchSize": 64, "learningRate": 0.05},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": 1, "batchSize": 64},
                           "finetune": {"epochs": 1, "batchSize": 64}},
                 "evaluation": {"batchSizes": [1, 8], "warmupRuns": 2, "timedRuns": 5}}""".formatted(jobId);
    }

    @InjectBundleContext
    BundleContext context;

    private KafkaJobs jobs;

    @BeforeEach
    void clients() {
        jobs = new KafkaJobs(context);
    }

    @AfterEach
    void close() {
        jobs.close();
    }

    @Test
    void badRequestsAreRejectedIntoTheDlqAndAGoodOneStillCompletesExactlyOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> bad = new HashMap<>();
        bad.put("malformed-" + run, "{\"model\": {\"architecture\": ");
        bad.put("schema-" + run, "{\"model\": {\"architecture\": \"vgg-small\"}, \"dataset\": {\"format\": \"svhn\"}}");
        bad.put("arch-" + run, tinyRequest("arch-" + run).replace("vgg-small", "vgg-enormous"));
        bad.put("strategy-" + run, tinyRequest("strategy-" + run).replace("\"evaluation\"",
                "\"pruning\": {\"strategy\": \"no-such-strategy\"}, \"evaluation\""));
        bad.put("parameters-" + run, tinyRequest("parameters-" + run).replace("\"evaluation\"",
                "\"pruning\": {\"strategy\": \"global-magnitude\", \"parameters\": {\"amount\": 1.5}}, \"evaluation\""));
        bad.put("data-" + run, tinyRequest("data-" + run).replace("\"path\": \"fashion-mnist\"",
                "\"path\": \"no-such-data\""));
        bad.put("escape-" + run, tinyRequest("escape-" + run).replace("\"path\": \"fashion-mnist\"",
                "\"path\": \"../../etc\""));
        for (Map.Entry<String, String> request : bad.entrySet()) {
            jobs.submit(request.getKey(), request.getValue());
        }
        String good = "good-" + run;
        // pruned by layer-sparsity with whole maps first: half of every decomposed layer's maps, then half its values
        jobs.submit(good, tinyRequest(good).replace("\"evaluation\"", "\"pruning\": {\"strategy\": "
                + "\"layer-sparsity\", \"parameters\": {\"amount\": 0.5, \"maps\": 0.5}}, \"evaluation\""));

        for (String jobId : bad.keySet()) {
            JobEvent rejected = jobs.await(e -> e.jobId().equals(jobId) && e.type() == EventType.JOB_REJECTED,
                    Duration.ofSeconds(60), "rejection of " + jobId);
            List<?> reasons = (List<?>) rejected.data().get("reasons");
            assertTrue(reasons != null && !reasons.isEmpty(), "a rejection says why: " + rejected.data());
        }
        assertDlqHolds(bad);

        JobEvent completed = jobs.await(e -> e.jobId().equals(good) && e.type() == EventType.JOB_COMPLETED,
                Duration.ofMinutes(8), "completion of " + good);
        List<String> stagesCompleted = jobs.seen().stream()
                .filter(e -> e.jobId().equals(good) && e.type() == EventType.STAGE_COMPLETED)
                .map(e -> e.stage().orElse("")).toList();
        assertEquals(StageNames.ALL, stagesCompleted, "every stage completes once, in order");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) completed.data().get("report");
        Path reportFile = Path.of(java.net.URI.create((String) report.get("uri")));
        String json = Files.readString(reportFile);
        for (String field : List.of("\"baseline\"", "\"compressed\"", "\"params\"", "\"macs\"", "\"layers\"",
                "\"inference\"")) {
            assertTrue(json.contains(field), "report.json has " + field);
        }
        assertOnnxIsTheCompressedModel(completed);
        assertAtMostHalfOfEachLayersMapsAreRead(completed);
        jobs.drain(Duration.ofSeconds(3));
        assertEquals(1, jobs.seen().stream().filter(e -> e.jobId().equals(good) && e.type() == EventType.JOB_COMPLETED).count(),
                "exactly one job.completed");
    }

    /** The job's model.onnx, which job.completed names, is its compressed model in factored form. */
    @SuppressWarnings("unchecked")
    private static void assertOnnxIsTheCompressedModel(JobEvent completed) throws IOException {
        Path onnx = Path.of(java.net.URI.create((String) ((Map<String, Object>) completed.data().get("model.onnx"))
                .get("uri")));
        Path model = Path.of(java.net.URI.create((String) ((Map<String, Object>) completed.data().get("model"))
                .get("uri")));
        assertArrayEquals(OnnxExport.toBytes(ModelFiles.load(model), ExportForm.FACTORED), Files.readAllBytes(onnx));
    }

    /**
     * The compressed model of a job pruned with {@code maps} 0.5: in each decomposed layer at most half of the
     * original network's C·d maps (input channel × basis) are read by a non-zero coefficient (shrinking removes more).
     */
    @SuppressWarnings("unchecked")
    private static void assertAtMostHalfOfEachLayersMapsAreRead(JobEvent completed) {
        Model model = ModelFiles.load(Path.of(java.net.URI.create((String) ((Map<String, Object>) completed.data()
                .get("model")).get("uri"))));
        Map<String, Integer> inputs = new HashMap<>();
        for (Layer layer : Architectures.network("vgg-small").layers()) {
            if (layer instanceof Layer.Conv2d conv) {
                inputs.put(conv.name(), conv.inChannels());
            }
        }
        int decomposed = 0;
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.DecomposedConv2d conv) {
                long read = ModelCounter.usedMaps(model.parameters().get(ParameterNames.of(conv.name(),
                        ParameterNames.COEFFICIENTS)));
                int original = inputs.get(conv.name()) * 5; // d = 5, the default the tiny request keeps
                assertTrue(read <= (original + 1) / 2, conv.name() + " reads " + read + " of its "
                        + original + " maps");
                decomposed++;
            }
        }
        assertTrue(decomposed > 0, "the compressed model has decomposed layers");
    }

    private void assertDlqHolds(Map<String, String> bad) throws Exception {
        try (KafkaConsumer<String, byte[]> dlq = jobs.consumer("itest-dlq")) {
            dlq.subscribe(List.of(Topics.REQUESTS_DLQ));
            Map<String, ConsumerRecord<String, byte[]>> found = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < bad.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(500))) {
                    if (bad.containsKey(r.key())) {
                        found.put(r.key(), r);
                    }
                }
            }
            assertEquals(bad.keySet(), found.keySet(), "every bad request is in the DLQ");
            for (Map.Entry<String, ConsumerRecord<String, byte[]>> e : found.entrySet()) {
                assertEquals(bad.get(e.getKey()), new String(e.getValue().value(), StandardCharsets.UTF_8),
                        "the DLQ keeps the original bytes");
                Header reason = e.getValue().headers().lastHeader(Topics.DLQ_REASON_HEADER);
                assertTrue(reason != null && reason.value().length > 0, "the DLQ record says why");
            }
        }
    }
}
