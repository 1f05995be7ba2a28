package io.penni.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's command line: {@code server [--base DIR] [--dist DIR] [--add-bundles DIR] [--set key=value]...}.
 *
 * @param base the folder with runtime-config/, deploy/ and var/
 * @param dist the distribution folder
 * @param addBundles extra bundle jars, or folders of them, to install after the features (used by the itests)
 * @param overrides framework properties set on the command line
 */
record LaunchOptions(Path base, Path dist, List<Path> addBundles, Map<String, String> overrides) {

    static final String USAGE = "usage: penni-launcher server [--base DIR] [--dist DIR] [--add-bundles DIR] "
            + "[--set name=value]...";

    static LaunchOptions parse(List<String> args) {
        if (args.isEmpty() || !args.get(0).equals("server")) {
            throw new LaunchException(LaunchException.CONFIG, USAGE);
        }
        Path base = Path.of("").toAbsolutePath();
        Path dist = null;
        List<Path> addBundles = new ArrayList<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            if (rest.isEmpty()) {
                throw new LaunchException(LaunchException.CONFIG, option + " needs a value; " + USAGE);
            }
            String value = rest.remove(0);
            switch (option) {
                case "--base" -> base = Path.of(value).toAbsolutePath().normalize();
                case "--dist" -> dist = Path.of(value).toAbsolutePath().normalize();
                case "--add-bundles" -> addBundles.add(Path.of(value).toAbsolutePath().normalize());
                case "--set" -> {
                    int eq = value.indexOf('=');
                    if (eq < 1) {
                        throw new LaunchException(LaunchException.CONFIG, "--set needs name=value, got " + value);
                    }
                    overrides.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> throw new LaunchException(LaunchException.CONFIG, "unknown option " + option + "; " + USAGE);
            }
        }
        return new LaunchOptions(base, dist == null ? base.resolve("distribution/target/penni") : dist,
                List.copyOf(addBundles), overrides);
    }
}
