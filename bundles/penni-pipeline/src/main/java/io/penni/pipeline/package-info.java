/**
 * Running a compression job: the request format (JSON Schema, defaults, validation), the one stage runner the
 * Kafka workflow and the one-process pipeline share, the pipeline that runs the stages in order without Kafka, and
 * the report it assembles.
 */
@Export
@Version("2.1.0")
package io.penni.pipeline;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
