package io.penni.api.event;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Publishes an event on the events topic for a part of the server that has no Kafka client of its own (the
 * serving endpoint, say). Registered by the workflow; a part that uses it references it optionally, so it keeps
 * working, silently, in a container without the workflow.
 */
@ProviderType
public interface EventPublisher {

    /**
     * Publishes one event, without waiting for the broker: a failure is logged by the publisher, not thrown.
     *
     * @param type the event's type
     * @param subject what it is about: a job id, or a served model's name
     * @param data the event's data, JSON-serialisable values only
     */
    void publish(EventType type, String subject, Map<String, Object> data);
}
