package io.penni.inference.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Every Vector API store in the engine's compiled kernels is C2's intrinsic. JDK 17 falls back to a Java
 * implementation (an allocation and a lambda call per vector, about a hundred times slower) wherever C2 cannot
 * tell a stored vector's exact class, which nothing but the compiler's own log shows: a second species in the
 * process, a vector chosen between two branches or a loaded vector stored as it is made whole layers 1.5-1.7x
 * slower. The workload runs in a child JVM with C2 alone and compilation in the foreground, so that each
 * compilation's inlining decisions follow its own line; an on-stack-replacement compilation (marked {@code %}, run
 * only while a long first call warms up) is not counted.
 */
class VectorIntrinsicsTest {

    private static final Pattern COMPILATION = Pattern.compile("^\\s*\\d+\\s+\\d+\\s+([%sbn! ]*)\\s(\\S+::\\S+)");

    @Test
    void noVectorOperationOfTheCompiledKernelsFallsBackToTheJavaImplementation() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=PrintInlining,io.penni.inference.cpu.internal.*::*",
                "-XX:+PrintCompilation", "-XX:-TieredCompilation", "-XX:CICompilerCount=1", "-Xbatch",
                "-cp", System.getProperty("java.class.path"), IntrinsicsWorkload.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> failures = new ArrayList<>();
        int compilations = 0;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String compiling = "";
            boolean onStack = false;
            for (String line; (line = out.readLine()) != null;) {
                Matcher m = COMPILATION.matcher(line);
                if (m.find()) {
                    compiling = m.group(2);
                    onStack = m.group(1).contains("%");
                    if (compiling.startsWith("io.penni.inference.cpu.internal.")) {
                        compilations++;
                    }
                } else if (line.contains("failed to inline (intrinsic)") && line.contains("jdk.internal.vm.vector")
                        && compiling.startsWith("io.penni.") && !onStack) {
                    failures.add(compiling + ": " + line.trim());
                }
            }
        }
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the workload ended");
        assertEquals(0, process.exitValue(), "the workload's exit status");
        assertTrue(compilations > 20, "C2 compiled the engine's kernels (" + compilations + " compilations)");
        assertEquals(List.of(), failures, "Vector API operations C2 did not compile as intrinsics");
    }
}
