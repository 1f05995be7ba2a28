/**
 * The server's Kafka protocol: the topics, the CloudEvents Kafka binding of job events, and the JSON of the
 * messages that carry jobs between stages and of the job table. Clients (the CLI, tests, users' own tools) use
 * it to talk to the server.
 */
@Export
@Version("1.1.0")
package io.penni.workflow;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
