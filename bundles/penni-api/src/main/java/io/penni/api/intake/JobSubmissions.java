package io.penni.api.intake;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Takes compression requests from a channel other than the {@code penni.requests} topic. A request is judged
 * exactly as the Kafka intake judges one; a usable request is then published to {@code penni.requests} under its
 * job id, so the normal intake runs it, and an unusable one is answered as the intake answers one (a
 * {@code job.rejected} event, the REJECTED state and the original bytes in {@code penni.requests.dlq}).
 * Registered by the workflow bundle, only where it runs.
 */
@ProviderType
public interface JobSubmissions {

    /**
     * Judges and submits one request.
     *
     * @param request the request JSON, as received
     * @param origin who sent it, for the DLQ record's origin header (e.g. {@code http 127.0.0.1})
     * @return the job id it runs as, or every reason it was refused
     */
    SubmissionResult submit(byte[] request, String origin);

    /** @return why requests cannot be taken now (the broker cannot be reached, say); empty when they can */
    Optional<String> notReady();
}
