package io.penni.pipeline;

import java.util.List;
import java.util.Objects;

import io.penni.api.job.CompressionRequest;

/** What validating a request gave. */
public sealed interface RequestOutcome {

    /**
     * A usable request, defaults filled in.
     *
     * @param request the request
     * @param document the request's JSON as accepted, a named recipe's fields merged in and the recipe pinned to
     *        its version ({@code name@version}): what the job's stages read with {@link CompressionRequests#read}
     */
    record Accepted(CompressionRequest request, com.fasterxml.jackson.databind.JsonNode document)
            implements RequestOutcome {
        /** Checks the fields. */
        public Accepted {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(document, "document");
        }
    }

    /**
     * An unusable request.
     *
     * @param jobId the job id the request asked for or was given, when one could be read (for events)
     * @param reasons every problem found, one line each, naming the field
     */
    record Rejected(String jobId, List<String> reasons) implements RequestOutcome {
        /** Copies the list. */
        public Rejected {
            Objects.requireNonNull(jobId, "jobId");
            reasons = List.copyOf(reasons);
        }

        /** @return the reasons in one line */
        public String summary() {
            return String.join("; ", reasons);
        }
    }
}
