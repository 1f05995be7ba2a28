package io.penni.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The launcher's one-process run: {@code compress REQUEST.json --local --out DIR [--data-root DIR] [--model-root DIR]
 * [--base DIR] [--dist DIR]}.
 *
 * @param base the folder with runtime-config/ and var/
 * @param dist the distribution folder
 * @param request the request file
 * @param out where the report, the model and the job's artifact store go
 * @param dataRoot the data sets' root, when it is not launcher.properties' {@code penni.data.root}
 * @param modelRoot the models' root, when it is not launcher.properties' {@code penni.model.root}
 */
record CompressOptions(Path base, Path dist, Path request, Path out, Optional<Path> dataRoot, Optional<Path> modelRoot) {

    static final String USAGE = "usage: bin/penni compress REQUEST.json --local --out DIR [--data-root DIR] "
            + "[--model-root DIR]";

    static CompressOptions parse(List<String> args) {
        Path base = Path.of("").toAbsolutePath();
        Path dist = null;
        Path request = null;
        Path out = null;
        Path dataRoot = null;
        Path modelRoot = null;
        boolean local = false;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            if (a.equals("--local")) {
                local = true;
                continue;
            }
            if (!a.startsWith("--")) {
                if (request != null) {
                    throw new LaunchException(LaunchException.CONFIG, "compress: unexpected argument " + a + "; " + USAGE);
                }
                request = Path.of(a).toAbsolutePath().normalize();
                continue;
            }
            if (rest.isEmpty()) {
                throw new LaunchException(LaunchException.CONFIG, "compress: " + a + " needs a value; " + USAGE);
            }
            Path value = Path.of(rest.remove(0)).toAbsolutePath().normalize();
            switch (a) {
                case "--out" -> out = value;
                case "--data-root" -> dataRoot = value;
                case "--model-root" -> modelRoot = value;
                case "--base" -> base = value;
                case "--dist" -> dist = value;
                default -> throw new LaunchException(LaunchException.CONFIG, "compress: unknown option " + a + "; " + USAGE);
            }
        }
        if (request == null || out == null) {
            throw new LaunchException(LaunchException.CONFIG, "compress: " + USAGE);
        }
        if (!local) {
            throw new LaunchException(LaunchException.CONFIG, "compress: only --local runs here; to use the server, "
                    + "run: bin/penni submit " + request + " --follow");
        }
        return new CompressOptions(base, dist == null ? base.resolve("distribution/target/penni") : dist, request, out,
                Optional.ofNullable(dataRoot), Optional.ofNullable(modelRoot));
    }
}
