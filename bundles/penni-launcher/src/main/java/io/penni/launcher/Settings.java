package io.penni.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the launcher needs before the framework starts, read from {@code runtime-config/}. The same
 * files configure the bundles through ConfigAdmin afterwards; the launcher reads the few values it must
 * act on first (ports to bind, whether to run the embedded broker) and checks them.
 *
 * @param base the folder holding runtime-config/, deploy/ and var/
 * @param dist the distribution: lib/, system/, features/
 * @param configDir runtime-config/
 * @param deployDir deploy/
 * @param varDir var/: Kafka's log, the framework cache, artifacts, logs
 * @param features names of the features to start (empty: all)
 * @param kafka the Kafka settings
 * @param http the HTTP endpoint
 * @param maxOffHeapBytes JavaCPP's cap on ND4J's off-heap memory
 * @param maxPhysicalBytes the cap on the process's resident memory ND4J checks on every allocation (0: none)
 * @param dataRoot the folder requests' data sets must lie under
 * @param modelRoot the folder requests' model files must lie under
 */
public record Settings(Path base, Path dist, Path configDir, Path deployDir, Path varDir, List<String> features,
        KafkaSettings kafka, HttpSettings http, long maxOffHeapBytes, long maxPhysicalBytes, Path dataRoot,
        Path modelRoot) {

    /** File of launcher-only settings. */
    static final String LAUNCHER_FILE = "launcher.properties";
    /** ConfigAdmin PID (and file) of the Kafka connection, shared with the workflow bundle. */
    static final String KAFKA_PID = "penni.kafka";
    /** ConfigAdmin PID (and file) of Felix HTTP. */
    static final String HTTP_PID = "org.apache.felix.http";
    /** Environment variable that sets the address /metrics binds (a container sets 0.0.0.0). */
    static final String HTTP_HOST_ENV = "PENNI_HTTP_HOST";
    /** Environment variable that sets the port /metrics listens on. */
    static final String HTTP_PORT_ENV = "PENNI_HTTP_PORT";
    private static final String HTTP_HOST_KEY = "org.apache.felix.http.host";
    private static final String HTTP_PORT_KEY = "org.osgi.service.http.port";

    /**
     * Kafka settings.
     *
     * @param external the external cluster's bootstrap servers, if one is configured
     * @param host the embedded broker's listener host
     * @param port the embedded broker's listener port
     * @param controllerPort the embedded broker's KRaft controller port
     * @param dataDir the embedded broker's log folder
     * @param clientProperties client properties passed through as-is (security settings and the like)
     * @param source the file they came from
     * @param externalSource where the external cluster's address was set, for messages
     */
    public record KafkaSettings(Optional<String> external, String host, int port, int controllerPort, Path dataDir,
            Map<String, String> clientProperties, String source, String externalSource) {

        /** @return the bootstrap servers clients use: the external cluster's or the embedded broker's */
        public String bootstrapServers() {
            return external.orElse(host + ":" + port);
        }
    }

    /**
     * The HTTP endpoint serving /metrics.
     *
     * @param host the address it binds
     * @param port the port
     * @param source where the port was set, for messages
     */
    public record HttpSettings(String host, int port, String source) {
        /** @return the metrics URL, for callers on this machine */
        public String metricsUrl() {
            return "http://" + urlHost() + ":" + port + "/metrics";
        }

        /** @return the dashboard's URL, for a browser on this machine */
        public String dashboardUrl() {
            return "http://" + urlHost() + ":" + port + "/penni/";
        }

        /** @return whether it listens on every interface (0.0.0.0 or ::), as inside a container */
        public boolean listensOnAllInterfaces() {
            String bare = unbracketed();
            return bare.equals("0.0.0.0") || bare.matches("[0:]*::?[0:]*");
        }

        /** A wildcard is where the server listens, not an address to call: the loopback reaches it. */
        private String urlHost() {
            if (listensOnAllInterfaces()) {
                return "127.0.0.1";
            }
            String bare = unbracketed();
            return bare.contains(":") ? "[" + bare + "]" : bare;
        }

        private String unbracketed() {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }
    }

    private static final Set<String> KAFKA_OWN_KEYS = Set.of("bootstrap.servers", "embedded.host", "embedded.port",
            "embedded.controller.port", "embedded.data", "topic.partitions", "topic.replication.factor");

    /**
     * Reads and checks the settings.
     *
     * @param base the base folder
     * @param dist the distribution folder
     * @param environment the process environment ({@code PENNI_KAFKA_BOOTSTRAP_SERVERS}, {@code PENNI_HTTP_HOST},
     *        {@code PENNI_HTTP_PORT})
     * @return the settings
     * @throws LaunchException naming the file and key of a bad value
     */
    public static Settings load(Path base, Path dist, Map<String, String> environment) {
        Path configDir = base.resolve("runtime-config");
        if (!Files.isDirectory(configDir)) {
            throw new LaunchException(LaunchException.CONFIG, "no runtime-config/ folder in " + base
                    + "; run from a PENNI checkout or pass --base DIR");
        }
        if (!Files.isDirectory(dist.resolve("features"))) {
            throw new LaunchException(LaunchException.CONFIG, "no distribution at " + dist
                    + " (features/ missing); build it with: mvn -B -DskipTests install");
        }
        ConfigFile launcher = ConfigFile.read(configDir.resolve(LAUNCHER_FILE), "runtime-config/" + LAUNCHER_FILE);
        Path varDir = base.resolve(launcher.get("penni.var.dir", "var"));
        List<String> features = Arrays.stream(launcher.get("penni.features", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();

        ConfigFile kafkaFile = ConfigFile.read(configDir.resolve(KAFKA_PID + ".cfg"),
                "runtime-config/" + KAFKA_PID + ".cfg");
        Optional<String> fromProperty = Optional.ofNullable(System.getProperty("penni.kafka.bootstrap.servers"))
                .filter(s -> !s.isBlank());
        Optional<String> fromEnvironment = Optional.ofNullable(environment.get("PENNI_KAFKA_BOOTSTRAP_SERVERS"))
                .filter(s -> !s.isBlank());
        Optional<String> external = fromProperty.or(() -> fromEnvironment).or(() -> kafkaFile.get("bootstrap.servers"));
        String source = fromProperty.isPresent() ? "-Dpenni.kafka.bootstrap.servers"
                : fromEnvironment.isPresent() ? "PENNI_KAFKA_BOOTSTRAP_SERVERS"
                : "penni.kafka.bootstrap.servers in " + kafkaFile.displayName();
        Map<String, String> clientProperties = new LinkedHashMap<>();
        kafkaFile.values().forEach((k, v) -> {
            if (!KAFKA_OWN_KEYS.contains(k) && !k.startsWith("felix.") && !k.startsWith("service.")) {
                clientProperties.put(k, v);
            }
        });
        KafkaSettings kafka = new KafkaSettings(external, kafkaFile.host("embedded.host", "127.0.0.1"),
                kafkaFile.port("embedded.port", 9092), kafkaFile.port("embedded.controller.port", 9093),
                varDir.resolve(kafkaFile.get("embedded.data", "kafka")), clientProperties, kafkaFile.displayName(),
                source);
        if (external.isEmpty() && kafka.port() == kafka.controllerPort()) {
            throw kafkaFile.problem("embedded.controller.port", String.valueOf(kafka.controllerPort()),
                    "is the same as embedded.port; the broker needs two ports");
        }

        ConfigFile httpFile = ConfigFile.read(configDir.resolve(HTTP_PID + ".cfg"),
                "runtime-config/" + HTTP_PID + ".cfg");
        HttpSettings http = http(httpFile, environment);

        return new Settings(base, dist, configDir, base.resolve(launcher.get("penni.deploy.dir", "deploy")), varDir,
                features, kafka, http, launcher.bytes("penni.offheap.max", 8L << 30),
                launcher.bytes("penni.offheap.physical.max", 12L << 30),
                base.resolve(launcher.get("penni.data.root", "/usr/share/datasets")).normalize(),
                base.resolve(launcher.get("penni.model.root", "models")).normalize());
    }

    /**
     * The endpoint's address and port: the environment's, else the file's, else 127.0.0.1:8181. The launcher hands
     * them to Felix HTTP as framework properties, but Felix HTTP prefers its ConfigAdmin configuration (the file,
     * applied by FileInstall); an environment value that disagrees with the file could never take effect, so it is
     * refused rather than silently ignored.
     */
    private static HttpSettings http(ConfigFile file, Map<String, String> environment) {
        String fileHost = file.host(HTTP_HOST_KEY, "127.0.0.1");
        int filePort = file.port(HTTP_PORT_KEY, 8181);
        Optional<String> hostVariable = variable(environment, HTTP_HOST_ENV);
        Optional<String> portVariable = variable(environment, HTTP_PORT_ENV);
        if (hostVariable.isPresent()) {
            String value = hostVariable.get();
            if (!ConfigFile.resolves(value)) {
                throw environmentProblem(HTTP_HOST_ENV, value, ConfigFile.NOT_A_HOST);
            }
            if (file.get(HTTP_HOST_KEY).isPresent() && !fileHost.equals(value)) {
                throw disagreement(file, HTTP_HOST_KEY, fileHost, HTTP_HOST_ENV, value);
            }
        }
        Optional<Integer> variablePort = portVariable.map(value -> ConfigFile.parsePort(value)
                .orElseThrow(() -> environmentProblem(HTTP_PORT_ENV, value, ConfigFile.NOT_A_PORT)));
        if (variablePort.isPresent() && file.get(HTTP_PORT_KEY).isPresent() && variablePort.get() != filePort) {
            throw disagreement(file, HTTP_PORT_KEY, String.valueOf(filePort), HTTP_PORT_ENV, portVariable.get());
        }
        String source = variablePort.isPresent() ? HTTP_PORT_ENV
                : file.get(HTTP_PORT_KEY).isPresent() ? file.displayName() + ": " + HTTP_PORT_KEY
                : "the default port; set " + HTTP_PORT_ENV + " or " + HTTP_PORT_KEY + " in " + file.displayName();
        return new HttpSettings(hostVariable.orElse(fileHost), variablePort.orElse(filePort), source);
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static LaunchException disagreement(ConfigFile file, String key, String fileValue, String variable,
            String value) {
        return new LaunchException(LaunchException.CONFIG, variable + "=" + value + " disagrees with " + key + "="
                + fileValue + " in " + file.displayName() + ", which Felix HTTP applies over it; remove " + key
                + " from the file or unset " + variable);
    }

    private static LaunchException environmentProblem(String variable, String value, String what) {
        return new LaunchException(LaunchException.CONFIG, variable + "=" + value + " " + what);
    }
}
