package io.penni.workflow.internal;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/** Builds the records that tell the world about a job: CloudEvents on the events topic, states in the job table. */
final class JobEvents {

    private final URI source;

    /**
     * @param containerId the container's id, part of every event's source
     */
    JobEvents(String containerId) {
        this.source = URI.create("urn:penni:" + containerId + ":workflow");
    }

    ProducerRecord<String, byte[]> event(EventType type, String jobId, Optional<String> stage, Map<String, Object> data) {
        JobEvent event = new JobEvent(UUID.randomUUID().toString(), source, type, jobId, stage, Instant.now(), data);
        return new ProducerRecord<>(Topics.EVENTS, null, jobId, CloudEvents.value(event), CloudEvents.headers(event));
    }

    static ProducerRecord<String, byte[]> state(JobState state) {
        return new ProducerRecord<>(Topics.JOBS, state.jobId(), WorkflowJson.write(state));
    }

    static JobState state(String jobId, JobStatus status, Optional<String> stage, List<String> completed, String message,
            Map<String, io.penni.api.artifact.ArtifactRef> artifacts) {
        return new JobState(jobId, status, stage, completed, message, artifacts, Instant.now());
    }
}
