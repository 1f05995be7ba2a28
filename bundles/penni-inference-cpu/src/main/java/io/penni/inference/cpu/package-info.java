/**
 * The CPU inference engine for PENNI models: {@link io.penni.inference.cpu.CpuEngine} compiles an IR model
 * (batch norm folded, ReLU and residual adds fused, each decomposed layer as a basis convolution plus a sparse
 * or dense 1×1 coefficient convolution, kernels chosen per layer by rule or by measurement) into a
 * {@link io.penni.inference.cpu.CpuModel}; {@link io.penni.inference.cpu.LatencyProbe} times any loaded model
 * and {@link io.penni.inference.cpu.FmaPeak} measures the machine's float32 peak to compare against.
 */
@Export
@Version("1.1.0")
package io.penni.inference.cpu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
