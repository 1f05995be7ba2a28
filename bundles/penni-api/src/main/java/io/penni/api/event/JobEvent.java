package io.penni.api.event;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened to a job. On Kafka it travels as a CloudEvent in binary mode: the fields below
 * are {@code ce_*} headers, {@code data} is the JSON value, and the record key is the job id.
 *
 * @param id unique id of this event
 * @param source the container and component that emitted it
 * @param type what happened
 * @param jobId the job, also the CloudEvents {@code subject}
 * @param stage the stage it concerns, if any
 * @param time when it happened
 * @param data the event's payload (JSON-compatible values: strings, numbers, booleans, lists and maps)
 */
public record JobEvent(String id, URI source, EventType type, String jobId, Optional<String> stage, Instant time,
        Map<String, Object> data) {
    /** Checks the fields. */
    public JobEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(time, "time");
        data = Map.copyOf(data);
    }
}
