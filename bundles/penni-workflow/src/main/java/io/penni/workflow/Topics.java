package io.penni.workflow;

import java.util.List;

import io.penni.api.stage.StageNames;

/**
 * Every topic the server uses; code never spells a topic name anywhere else. Record keys are job ids (UTF-8
 * strings), so everything about one job stays on one partition, in order.
 */
public final class Topics {

    /** Users publish compression requests here (value: the request JSON; key: optional job id). */
    public static final String REQUESTS = "penni.requests";
    /** Rejected requests: the original bytes, with the reason and origin in headers. */
    public static final String REQUESTS_DLQ = REQUESTS + ".dlq";
    /** Every job's events, as CloudEvents (binary mode). */
    public static final String EVENTS = "penni.events";
    /** The job table: the latest {@link io.penni.api.job.JobState} of each job; compacted. */
    public static final String JOBS = "penni.jobs";
    private static final String STAGE_PREFIX = "penni.stage.";
    /**
     * Stage tasks that cannot be read: the original bytes, with the reason, origin and job (the record's key) in
     * headers. Not a stage topic: no stage is named {@code dlq}.
     */
    public static final String STAGE_DLQ = STAGE_PREFIX + "dlq";

    /** DLQ header: why the request was rejected, or why the stage task could not be read. */
    public static final String DLQ_REASON_HEADER = "penni.reason";
    /** DLQ header: where the message came from, {@code topic/partition/offset}. */
    public static final String DLQ_ORIGIN_HEADER = "penni.origin";
    /** DLQ header: the job id the request asked for or was given. */
    public static final String DLQ_JOB_HEADER = "penni.job";

    private Topics() {
    }

    /**
     * @param stage a stage's name
     * @return the topic carrying work for that stage
     */
    public static String stage(String stage) {
        return STAGE_PREFIX + stage;
    }

    /**
     * @param topic a stage topic
     * @return the stage's name
     */
    public static String stageOf(String topic) {
        if (!topic.startsWith(STAGE_PREFIX)) {
            throw new IllegalArgumentException(topic + " is not a stage topic");
        }
        return topic.substring(STAGE_PREFIX.length());
    }

    /** @return the topics the server creates at start-up, stage topics of the built-in stages included */
    public static List<String> all() {
        List<String> all = new java.util.ArrayList<>(List.of(REQUESTS, REQUESTS_DLQ, EVENTS, JOBS, STAGE_DLQ));
        StageNames.ALL.forEach(s -> all.add(stage(s)));
        return List.copyOf(all);
    }
}
