package io.penni.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.penni.api.event.JobEvent;
import io.penni.pipeline.RequestEnvironment;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;

/**
 * The hostile battery: every request of {@link HostileRequests} (hand-written and generated from the schema, over
 * 200) published to {@code penni.requests} of a real broker, each under its own key, then one valid request. Each
 * hostile one gets exactly one {@code job.rejected} under its key and exactly one DLQ record with its original
 * bytes, in the order they were sent; none becomes a job; and the valid one sent after them all is accepted.
 */
@Timeout(300)
class HostileRequestBatteryTest extends RealBrokerTest {

    private static final String REJECTED = "io.penni.job.rejected";
    private static final String ACCEPTED = "io.penni.job.accepted";


    @Test
    void everyHostileRequestGetsOneRejectionAndOneDlqRecordInOrderAndTheIntakeStillAcceptsAValidOne()
            throws Exception {
        // the real data set, as the server checks requests against it (the Debian package dataset-fashion-mnist)
        RequestEnvironment environment = new RequestEnvironment(Path.of("/usr/share/datasets"),
                folder.resolve("models"), Set.of("vgg-small", "resnet-small"), Set.of(), Set.of("cpu"));
        kafka.startIntake(() -> environment);
        Map<String, byte[]> corpus = HostileRequests.all();
        assertTrue(corpus.size() >= 200, "a battery of at least 200, was " + corpus.size());
        List<String> keys = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, byte[]> hostile : corpus.entrySet()) {
            String key = String.format("h-%04d", i++);
            keys.add(key);
            names.put(key, hostile.getKey());
            kafka.request(key, hostile.getValue());
        }
        kafka.request("final-ok", HostileRequests.VALID.getBytes(StandardCharsets.UTF_8));

        List<ConsumerRecord<String, byte[]>> dlq = kafka.read(Topics.REQUESTS_DLQ, r -> r.size() >= corpus.size());
        assertEquals(keys, dlq.stream().map(ConsumerRecord::key).toList(), "one DLQ record each, in order");
        int k = 0;
        for (byte[] original : corpus.values()) {
            ConsumerRecord<String, byte[]> record = dlq.get(k++);
            assertTrue(java.util.Arrays.equals(original, record.value()), "original bytes of " + names.get(record.key()));
            String reason = WorkflowHarness.header(record, Topics.DLQ_REASON_HEADER).orElse("");
            assertTrue(!reason.isBlank() && reason.length() < 4000, names.get(record.key()) + ": " + reason.length()
                    + " characters of reason");
        }

        Map<String, List<String>> byKey = new HashMap<>();
        kafka.read(Topics.EVENTS, records -> {
            byKey.clear();
            for (ConsumerRecord<String, byte[]> r : records) {
                CloudEvents.read(r.headers(), r.value()).map(JobEvent::type)
                        .ifPresent(t -> byKey.computeIfAbsent(r.key(), x -> new ArrayList<>()).add(t.type()));
            }
            return byKey.containsKey("final-ok");
        });
        for (String key : keys) {
            assertEquals(List.of(REJECTED), byKey.get(key), names.get(key));
        }
        assertEquals(List.of(ACCEPTED), byKey.get("final-ok"));
        assertEquals(keys.size() + 1, byKey.size(), "no event under any other key");
        assertEquals((double) corpus.size(), kafka.counter("penni.ended.jobs", "outcome", "rejected"));
    }
}
