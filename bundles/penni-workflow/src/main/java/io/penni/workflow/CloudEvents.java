package io.penni.workflow;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;

/**
 * The CloudEvents 1.0 Kafka protocol binding, binary content mode, for {@link JobEvent}s: the context
 * attributes travel as {@code ce_}-prefixed UTF-8 headers ({@code ce_specversion}, {@code ce_id},
 * {@code ce_source}, {@code ce_type}, {@code ce_subject} = the job id, {@code ce_time}, and the extension
 * {@code ce_pennistage}), {@code datacontenttype} as the {@code content-type} header, the data as the record value
 * (JSON), and the record key is the job id.
 */
public final class CloudEvents {

    /** The CloudEvents version this binding writes. */
    public static final String SPEC_VERSION = "1.0";
    /** The content type of the data. */
    public static final String CONTENT_TYPE = "application/json";
    /** Extension attribute (lowercase letters and digits only, as the spec requires) naming the stage. */
    public static final String STAGE_EXTENSION = "pennistage";

    private static final String PREFIX = "ce_";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudEvents() {
    }

    /**
     * @param event the event
     * @return its headers
     */
    public static Headers headers(JobEvent event) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, PREFIX + "specversion", SPEC_VERSION);
        add(headers, PREFIX + "id", event.id());
        add(headers, PREFIX + "source", event.source().toString());
        add(headers, PREFIX + "type", event.type().type());
        add(headers, PREFIX + "subject", event.jobId());
        add(headers, PREFIX + "time", DateTimeFormatter.ISO_INSTANT.format(event.time()));
        event.stage().ifPresent(s -> add(headers, PREFIX + STAGE_EXTENSION, s));
        add(headers, "content-type", CONTENT_TYPE);
        return headers;
    }

    /**
     * @param event the event
     * @return its data as the record value
     */
    public static byte[] value(JobEvent event) {
        try {
            return JSON.writeValueAsBytes(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not JSON-compatible: " + e.getMessage(), e);
        }
    }

    /**
     * Reads an event back.
     *
     * @param headers the record's headers
     * @param value the record's value
     * @return the event, or empty when the record is not a CloudEvent of a type this server knows
     */
    public static Optional<JobEvent> read(Headers headers, byte[] value) {
        Map<String, String> ce = new LinkedHashMap<>();
        for (Header h : headers) {
            if (h.key().startsWith(PREFIX) && h.value() != null) {
                ce.put(h.key().substring(PREFIX.length()), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        if (!SPEC_VERSION.equals(ce.get("specversion"))) {
            return Optional.empty();
        }
        Optional<EventType> type = EventType.of(ce.getOrDefault("type", ""));
        if (type.isEmpty() || !ce.containsKey("id") || !ce.containsKey("source") || !ce.containsKey("subject")) {
            return Optional.empty();
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> data = value == null || value.length == 0 ? Map.of() : JSON.readValue(value, LinkedHashMap.class);
            return Optional.of(new JobEvent(ce.get("id"), URI.create(ce.get("source")), type.get(), ce.get("subject"),
                    Optional.ofNullable(ce.get(STAGE_EXTENSION)),
                    ce.containsKey("time") ? Instant.parse(ce.get("time")) : Instant.EPOCH, data));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
