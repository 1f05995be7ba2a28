/**
 * The server's Kafka protocol: the topics, the CloudEvents Kafka binding of job events, and the JSON of the
 * messages that carry jobs between stages and of the job table. Clients (the CLI, tests, users' own tools) use
 * it to talk to the server, and build their Kafka clients inside the framework ({@link KafkaClassLoading}).
 */
@Export
@Version("1.2.0")
package io.penni.workflow;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
