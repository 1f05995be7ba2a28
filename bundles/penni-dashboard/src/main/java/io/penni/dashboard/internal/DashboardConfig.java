package io.penni.dashboard.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the dashboard and its job API (PID {@value #PID}). */
@ObjectClassDefinition(pid = DashboardConfig.PID, name = "PENNI dashboard", description = "The web dashboard at /penni/ and the HTTP job "
        + "API under /penni/api/: who may use them and how large a submitted request may be.")
@interface DashboardConfig {

    /** The configuration's PID. */
    String PID = "penni.dashboard";

    /** @return the access token */
    @AttributeDefinition(name = "Access token", description = "What clients beyond this machine must send to the "
            + "API as Authorization: Bearer TOKEN (the page asks for it once). Empty: the dashboard and its API "
            + "answer clients on the loopback interface only, and only for the names 127.0.0.1, ::1 and localhost.",
            type = AttributeType.PASSWORD)
    String access_token() default "";

    /** @return the body limit */
    @AttributeDefinition(name = "Max request (bytes)", description = "The largest request body POST "
            + "/penni/api/jobs reads; a larger one is answered 413 and not read. Default 65536, the intake's own "
            + "limit.")
    int max_body_bytes() default 64 * 1024;

    /** @return events kept per job */
    @AttributeDefinition(name = "Events kept per job", description = "How many of each job's events the dashboard "
            + "keeps in memory for its Job page; past it the oldest progress events go first.")
    int events_per_job() default 2000;
}
