package io.penni.serving.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the endpoint and its repository (PID {@value #PID}). */
@ObjectClassDefinition(name = "PENNI serving", description = "The Open Inference Protocol endpoint under /v2: "
        + "the model repository it serves, and how requests are batched and bounded.")
@interface ServingConfig {

    /** The configuration's PID. */
    String PID = "penni.serving";

    /** @return the backend filter */
    @AttributeDefinition(name = "Backend", description = "Which inference backend runs the served models, as a "
            + "filter on its penni.backend property: (penni.backend=cpu), (penni.backend=onnxruntime), ...")
    String backend_target() default "(penni.backend=cpu)";

    /** @return the repository folder */
    @AttributeDefinition(name = "Model repository", description = "Folder of models, NAME/VERSION/model.json with "
            + "model.safetensors beside it, VERSION a positive integer; relative paths are relative to var/ "
            + "(framework property penni.var.dir). The newest version of each model is served.")
    String repository() default "models";

    /** @return the scan interval */
    @AttributeDefinition(name = "Scan interval (ms)", description = "How often the repository is read for new, "
            + "replaced and removed versions.")
    long poll_millis() default 1000;

    /** @return the largest batch */
    @AttributeDefinition(name = "Max batch", description = "Images one batch holds at most; 1 switches batching "
            + "off. A request with more images runs alone.")
    int max_batch() default 32;

    /** @return the batching delay */
    @AttributeDefinition(name = "Max queue delay (µs)", description = "An upper bound on waiting: a batch is "
            + "run at once with what is queued, and waits for more, up to this long from its first request, only "
            + "while requests have lately been arriving closer together than the time left. 0: never waits.")
    long max_queue_delay_micros() default 2000;

    /** @return the queue capacity */
    @AttributeDefinition(name = "Queue capacity", description = "Requests waiting per model at most; one more is "
            + "answered 503 with Retry-After. With the body limit it bounds the memory queued requests hold.")
    int queue_capacity() default 256;

    /** @return the request timeout */
    @AttributeDefinition(name = "Request timeout (ms)", description = "How long a request may wait for its "
            + "result, queue and compute together; past it the request leaves the queue and is answered 504.")
    long request_timeout_millis() default 5000;

    /** @return the body limit */
    @AttributeDefinition(name = "Max body (bytes)", description = "The largest request body read; a larger one is "
            + "answered 413 before it is read.")
    int max_body_bytes() default 8 << 20;

    /** @return the access token */
    @AttributeDefinition(name = "Access token", description = "What clients beyond this machine must send as "
            + "Authorization: Bearer TOKEN. Empty: only clients on the loopback interface are answered (the health "
            + "probes answer everyone).", type = AttributeType.PASSWORD)
    String access_token() default "";

    /** @return the Retry-After seconds */
    @AttributeDefinition(name = "Retry-After (s)", description = "What a 503 from a full queue tells the client "
            + "to wait.")
    int retry_after_seconds() default 1;
}
