/**
 * The dense reference inference backend: {@link io.penni.inference.samediff.SameDiffEngine} runs any IR model
 * through the trainer's SameDiff graph in inference mode on ND4J's native build, the yardstick compressed
 * models are compared against.
 */
@Export
@Version("1.0.0")
package io.penni.inference.samediff;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
