package io.penni.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;

class CloudEventsTest {

    private static final JobEvent EVENT = new JobEvent("e-1", URI.create("urn:penni:c1:workflow"),
            EventType.STAGE_PROGRESS, "job-7", Optional.of("retrain"), Instant.parse("2026-11-21T10:15:30Z"),
            Map.of("epoch", 3));

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void binaryModePutsContextAttributesInCePrefixedHeaders() {
        Headers h = CloudEvents.headers(EVENT);
        assertEquals("1.0", header(h, "ce_specversion"));
        assertEquals("e-1", header(h, "ce_id"));
        assertEquals("urn:penni:c1:workflow", header(h, "ce_source"));
        assertEquals("io.penni.stage.progress", header(h, "ce_type"));
        assertEquals("job-7", header(h, "ce_subject"));
        assertEquals("2026-11-21T10:15:30Z", header(h, "ce_time"));
        assertEquals("retrain", header(h, "ce_pennistage"));
        assertEquals("application/json", header(h, "content-type"));
        assertEquals("{\"epoch\":3}", new String(CloudEvents.value(EVENT), StandardCharsets.UTF_8));
    }

    @Test
    void eventsRoundTrip() {
        JobEvent read = CloudEvents.read(CloudEvents.headers(EVENT), CloudEvents.value(EVENT)).orElseThrow();
        assertEquals(EVENT, read);
    }

    @Test
    void recordsThatAreNotOurCloudEventsAreIgnored() {
        RecordHeaders other = new RecordHeaders();
        other.add("ce_specversion", "0.3".getBytes(StandardCharsets.UTF_8));
        assertTrue(CloudEvents.read(other, new byte[0]).isEmpty());
        Headers unknownType = CloudEvents.headers(EVENT);
        unknownType.remove("ce_type");
        unknownType.add("ce_type", "com.example.other".getBytes(StandardCharsets.UTF_8));
        assertTrue(CloudEvents.read(unknownType, CloudEvents.value(EVENT)).isEmpty());
    }
}
