package io.penni.workflow;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import io.penni.api.artifact.ArtifactRef;

/**
 * A job on its way through the stages, as a message on a stage topic: the request as the user sent it, the plan
 * (the stages it runs, in order), where it is in the plan, and every artifact produced so far.
 *
 * @param jobId the job
 * @param request the request JSON as accepted
 * @param plan the stages of the job, in order
 * @param position the index in the plan of the stage this message is for
 * @param artifacts artifacts produced so far, by name ({@code model} is the latest model)
 * @param submission which accepted request this run of the job comes from ({@code topic/partition/offset} of the
 *        request record; empty for tasks written before it was recorded): a copy of a task has its submission, a
 *        job submitted again a new one
 */
public record StageTask(String jobId, JsonNode request, List<String> plan, int position,
        Map<String, ArtifactRef> artifacts, String submission) {

    /** Checks the fields. */
    public StageTask {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(submission, "submission");
        plan = List.copyOf(plan);
        artifacts = Map.copyOf(artifacts);
        if (position < 0 || position >= plan.size()) {
            throw new IllegalArgumentException("position " + position + " is outside the plan " + plan);
        }
    }

    /**
     * A task of no recorded submission.
     *
     * @param jobId the job
     * @param request the request JSON as accepted
     * @param plan the stages of the job, in order
     * @param position the index in the plan of the stage this message is for
     * @param artifacts artifacts produced so far, by name
     */
    public StageTask(String jobId, JsonNode request, List<String> plan, int position,
            Map<String, ArtifactRef> artifacts) {
        this(jobId, request, plan, position, artifacts, "");
    }

    /** @return the stage this message is for */
    public String stage() {
        return plan.get(position);
    }

    /** @return whether this is the job's last stage */
    public boolean last() {
        return position == plan.size() - 1;
    }

    /**
     * @param produced what this stage produced
     * @return the message for the next stage
     */
    public StageTask next(Map<String, ArtifactRef> produced) {
        return new StageTask(jobId, request, plan, position + 1, artifactsWith(produced), submission);
    }

    /**
     * @param produced what this stage produced
     * @return the job's artifacts once this stage's outputs are added, each also as {@code <stage>.<name>}
     */
    public Map<String, ArtifactRef> artifactsWith(Map<String, ArtifactRef> produced) {
        return io.penni.pipeline.StageRunner.withOutputs(artifacts, stage(), produced);
    }
}
