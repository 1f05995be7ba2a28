package io.penni.bench.ort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, as Linux counts it ({@code /proc/self/status}). */
final class Memory {

    private Memory() {
    }

    /** @return resident set size now, in KiB */
    static long rssKb() {
        return field("VmRSS:");
    }

    /** @return the largest resident set size so far, in KiB */
    static long peakKb() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no " + name + " in /proc/self/status");
    }
}
