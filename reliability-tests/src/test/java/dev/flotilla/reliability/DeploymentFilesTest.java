package dev.flotilla.reliability;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment files against what the build makes and what the multi-host test ran, read at schema level (no
 * Docker or Kubernetes here): every service's Dockerfile, its CI workflow, deploy/compose.yaml and the Kubernetes
 * manifests in deploy/k8s. Ports, jar names, build inputs and shutdown times come from the poms and each service's
 * own yaml ({@link Reactor}), settings from {@link MultiHostTest}, so a change to either fails here, naming the file.
 */
class DeploymentFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The services: the sample modules that ship a Dockerfile. */
    private static final List<String> SERVICES = List.of("user-service", "product-service", "inventory-service",
                                                         "order-service", "gateway");
    /** Defaults of shutdown.grace-period and shutdown.drain-timeout (runtime-core's ShutdownSettings). */
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(1);
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(20);
    /** Where every service learns who may sign users' tokens (docs/security.md). */
    private static final List<String> USERS_IDENTITY_PROVIDER = List.of("SECURITY_JWT_JWKS_URI", "SECURITY_JWT_ISSUER",
                                                                        "SECURITY_JWT_AUDIENCE");
    private static final Pattern DOCKER_FROM_JDK = Pattern.compile("(?m)^FROM\\s+eclipse-temurin:(\\d+)");
    private static final Pattern DOCKER_COPY = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+(\\S+)\\s*$");

    private static Reactor reactor;

    @BeforeAll
    static void readPoms() {
        reactor = Reactor.load();
    }

    @Test
    void everyServiceShipsADockerfile() throws IOException {
        Set<String> withDockerfile = new TreeSet<>();
        try (var dirs = Files.list(reactor.root().resolve("sample-system"))) {
            dirs.filter(d -> Files.exists(d.resolve("Dockerfile"))).forEach(d -> withDockerfile.add(
                    d.getFileName().toString()));
        }
        assertEquals(new TreeSet<>(SERVICES), withDockerfile);
    }

    @Test
    void dockerfilesCopyTheJarTheModuleBuildsExposeItsPortAndRunAsNonRoot() throws IOException {
        for (String service : SERVICES) {
            Path file = reactor.dir(service).resolve("Dockerfile");
            String docker = Files.readString(file);
            int port = reactor.port(service);
            Map<String, String> copies = new LinkedHashMap<>();
            Matcher copy = DOCKER_COPY.matcher(docker);
            while (copy.find()) {
                copies.put(copy.group(1), copy.group(2));
            }
            String jar = "target/" + reactor.jarName(service);
            assertTrue(copies.containsKey(jar), file + " copies " + copies.keySet() + ", not " + jar
                    + ", the jar the module's pom builds");
            assertTrue(copies.containsKey("target/lib/"), file + " copies the jar's lib/ folder");
            if (Files.exists(reactor.jar(service))) {
                for (String source : copies.keySet()) {
                    assertTrue(Files.exists(reactor.dir(service).resolve(source)), file + ": COPY " + source
                            + " does not exist after the build");
                }
            }
            assertTrue(docker.contains("\"-jar\", \"" + copies.get(jar) + "\""), file + " runs the copied jar");
            assertEquals(List.of(String.valueOf(port)), instructions(docker, "EXPOSE"), file + ": EXPOSE");
            assertTrue(docker.contains("http://localhost:" + port + "/health/ready"), file + ": HEALTHCHECK port");
            List<String> users = instructions(docker, "USER");
            assertEquals(1, users.size(), file + " sets USER once: " + users);
            String user = users.getFirst().split(":")[0];
            assertTrue(!user.equals("root") && !user.equals("0"), file + " runs as " + user);
        }
    }

    /**
     * The trained start (docs/deployment.md): the image build runs the service once under
     * {@code -XX:AOTCacheOutput} with {@code --flotilla.training-run=true} (after the jar and its libraries are in
     * place, without NATS), and the ENTRYPOINT starts the same jar from that cache with the same JVM options; a JDK
     * that has the one-step AOT cache; keys made for the training run do not stay in the image.
     */
    @Test
    void dockerfilesTrainAnAotCacheAtBuildAndStartFromIt() throws IOException {
        for (String service : SERVICES) {
            Path file = reactor.dir(service).resolve("Dockerfile");
            String docker = Files.readString(file);
            Matcher from = DOCKER_FROM_JDK.matcher(docker);
            assertTrue(from.find() && Integer.parseInt(from.group(1)) >= 25, file
                    + " builds on a JDK 25 or later image (for -XX:AOTCacheOutput)");
            String jar = "\"" + reactor.jarName(service) + "\"";
            String copied = null;
            Matcher copy = DOCKER_COPY.matcher(docker);
            while (copy.find()) {
                if (copy.group(1).equals("target/" + reactor.jarName(service))) {
                    copied = copy.group(2);
                }
            }
            assertTrue(copied != null, file + " copies " + jar);
            List<String> runs = logicalInstructions(docker, "RUN");
            List<String> training = runs.stream().filter(r -> r.contains("-XX:AOTCacheOutput=")).toList();
            assertEquals(1, training.size(), file + " has one training run (RUN ... -XX:AOTCacheOutput=...): " + runs);
            String run = training.getFirst();
            Matcher output = Pattern.compile("java\\s+((?:-XX:\\S+\\s+)*)-jar\\s+(\\S+)\\s+(.*?)(?:&&|$)")
                    .matcher(run);
            assertTrue(output.find(), file + ": the training run is java [options] -jar JAR [args]: " + run);
            List<String> trainingOptions = new ArrayList<>(List.of(output.group(1).trim().split("\\s+")));
            String cache = trainingOptions.stream().filter(o -> o.startsWith("-XX:AOTCacheOutput="))
                    .map(o -> o.substring("-XX:AOTCacheOutput=".length())).findFirst().orElseThrow();
            trainingOptions.removeIf(o -> o.startsWith("-XX:AOTCacheOutput="));
            assertEquals(copied, output.group(2), file + ": the training run runs the copied jar");
            List<String> trainingArgs = List.of(output.group(3).trim().split("\\s+"));
            assertTrue(trainingArgs.contains("--flotilla.training-run=true"), file
                    + ": the training run exits by itself (--flotilla.training-run=true): " + trainingArgs);
            assertTrue(trainingArgs.contains("--messaging.transport=in-jvm"), file
                    + ": the training run needs no NATS while the image is built: " + trainingArgs);
            List<String> lines = List.of(docker.replaceAll("\\\\\\n\\s*", " ").split("\n"));
            int trainedAt = lines.indexOf("RUN " + run);
            int lastCopy = -1;
            for (int i = 0; i < lines.size(); i++) {
                lastCopy = lines.get(i).startsWith("COPY ") ? i : lastCopy;
            }
            assertTrue(trainedAt > lastCopy, file + ": the training run comes after the jar and its libraries are "
                    + "copied");
            if (run.contains("ServiceKeys")) {
                Matcher keys = Pattern.compile("ServiceKeys\\s+(\\S+)").matcher(run);
                assertTrue(keys.find() && run.contains("rm -rf " + keys.group(1)), file
                        + ": keys made for the training run are deleted in the same step");
            }
            List<String> entrypoint = texts(YAML.readTree(instructions(docker, "ENTRYPOINT").getFirst()));
            int dashJar = entrypoint.indexOf("-jar");
            assertTrue(dashJar > 0 && entrypoint.get(dashJar + 1).equals(copied), file + ": ENTRYPOINT " + entrypoint);
            List<String> runOptions = new ArrayList<>(entrypoint.subList(1, dashJar));
            assertTrue(runOptions.remove("-XX:AOTCache=" + cache), file + ": the ENTRYPOINT starts from the cache the "
                    + "build trained, -XX:AOTCache=" + cache + ": " + entrypoint);
            assertEquals(runOptions, trainingOptions, file + ": the training run has the ENTRYPOINT's JVM options");
        }
    }

    @Test
    void ciWorkflowsRunWhenAnythingTheServiceIsBuiltFromChanges() throws IOException {
        for (String service : SERVICES) {
            Path file = reactor.dir(service).resolve("ci-workflow.yml");
            JsonNode workflow = YAML.readTree(file.toFile());
            for (String event : List.of("push", "pull_request")) {
                List<String> filters = new ArrayList<>();
                workflow.path("on").path(event).path("paths").forEach(p -> filters.add(p.asText()));
                List<String> needed = new ArrayList<>(List.of("mvnw", ".mvn/wrapper/maven-wrapper.properties",
                                                              ".github/workflows/" + service + ".yml"));
                for (String module : reactor.buildInputs(service)) {
                    Path dir = reactor.module(module).dir();
                    needed.add(dir.resolve("pom.xml").toString());
                    if (reactor.module(module).modules().isEmpty()) {
                        needed.add(dir.resolve("src/main/java/Any.java").toString());
                        needed.add(dir.resolve("src/test/java/Any.java").toString());
                    }
                }
                List<String> uncovered = needed.stream().filter(path -> filters.stream().noneMatch(
                        glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(path))))
                        .toList();
                assertEquals(List.of(), uncovered, file + " on." + event + ".paths miss what " + service
                        + " is built from (modules " + reactor.buildInputs(service) + ")");
            }
            String steps = workflow.path("jobs").toString();
            assertTrue(steps.contains("-pl sample-system/" + service + " -am verify"), file + " builds the service");
        }
    }

    @Test
    void composeRunsTheShopAsTheMultiHostTestDid() throws IOException {
        Path file = reactor.root().resolve("deploy/compose.yaml");
        JsonNode services = YAML.readTree(file.toFile()).path("services");
        List<String> natsNodes = new ArrayList<>();
        services.fieldNames().forEachRemaining(name -> {
            if (services.path(name).path("image").asText().startsWith("nats:")) {
                natsNodes.add(name);
            }
        });
        assertEquals(3, natsNodes.size(), file + ": a three-node NATS cluster, found " + natsNodes);
        String routes = natsNodes.stream().map(n -> "nats://" + n + ":6222").collect(Collectors.joining(","));
        for (String node : natsNodes) {
            JsonNode nats = services.path(node);
            List<String> command = texts(nats.path("command"));
            assertEquals(List.of("-c", "/etc/nats/nats.conf", "--name", node, "--routes", routes, "-sd", "/data"),
                         command, file + ": " + node + "'s command");
            assertTrue(texts(nats.path("volumes")).contains("./nats/nats.conf:/etc/nats/nats.conf:ro"),
                       file + ": " + node + " runs deploy/nats/nats.conf");
            assertTrue(nats.path("environment").has("NATS_USER") && nats.path("environment").has("NATS_PASSWORD"),
                       file + ": " + node + " gets the login nats.conf refers to");
        }
        String servers = natsNodes.stream().map(n -> "nats://" + n + ":4222").collect(Collectors.joining(","));
        for (String service : SERVICES) {
            JsonNode compose = services.path(service);
            assertEquals(reactor.dir(service), file.getParent().resolve(compose.path("build").asText()).normalize(),
                         file + ": " + service + " is built from its module's Dockerfile");
            assertEquals(MultiHostTest.DEPLOYED_SETTINGS, texts(compose.path("command")), file + ": " + service
                    + " runs with the settings the multi-host test used");
            JsonNode environment = compose.path("environment");
            for (String variable : MultiHostTest.DEPLOYED_ENVIRONMENT) {
                assertTrue(environment.has(variable), file + ": " + service + " sets " + variable);
            }
            assertEquals(servers, environment.path("MESSAGING_NATS_SERVERS").asText(), file + ": " + service);
            assertTrue(environment.path("MESSAGING_NATS_PASSWORD").asText().startsWith("${"),
                       file + ": " + service + "'s NATS password comes from the environment, not the file");
            assertEquals(List.of("./keys/" + service + ".env"), texts(compose.path("env_file")),
                         file + ": " + service + "'s identity (its key, the keys it trusts) comes from the file "
                                 + "ServiceKeys writes for it");
            for (String variable : USERS_IDENTITY_PROVIDER) {
                assertTrue(environment.path(variable).asText().startsWith("${"),
                           file + ": " + service + " gets " + variable + " from the environment");
            }
            Duration stop = Duration.parse("PT" + compose.path("stop_grace_period").asText().toUpperCase());
            Duration needed = shutdown(service, List.of());
            assertTrue(stop.compareTo(needed) >= 0, file + ": " + service + "'s stop_grace_period " + stop
                    + " is shorter than its grace period plus drain timeout " + needed);
        }
    }

    @Test
    void kubernetesDeploymentsHaveProbesGracePodIpAdvertisedSecretsAndNoRoot() throws IOException {
        Map<String, JsonNode> deployments = resources("Deployment");
        Map<String, JsonNode> k8sServices = resources("Service");
        assertEquals(new TreeSet<>(SERVICES), new TreeSet<>(deployments.keySet()), "a Deployment per service");
        Set<String> secrets = new TreeSet<>();
        for (String service : SERVICES) {
            String where = "deploy/k8s Deployment " + service;
            JsonNode pod = deployments.get(service).path("spec").path("template").path("spec");
            JsonNode container = pod.path("containers").path(0);
            int port = reactor.port(service);
            Map<String, Integer> ports = new LinkedHashMap<>();
            container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
            assertEquals(List.of(port), List.copyOf(ports.values()), where + ": containerPort");
            for (String probe : List.of("livenessProbe", "readinessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                assertEquals(probe.equals("livenessProbe") ? "/health/live" : "/health/ready",
                             get.path("path").asText(), where + ": " + probe + " path");
                JsonNode probePort = get.path("port");
                assertEquals(port, probePort.isInt() ? probePort.asInt() : ports.getOrDefault(probePort.asText(), -1),
                             where + ": " + probe + " port");
            }
            List<String> args = texts(container.path("args"));
            assertTrue(args.containsAll(MultiHostTest.DEPLOYED_SETTINGS), where + ": args " + args
                    + " lack the settings the multi-host test used " + MultiHostTest.DEPLOYED_SETTINGS);
            Duration needed = shutdown(service, args);
            long grace = pod.path("terminationGracePeriodSeconds").asLong(30);
            assertTrue(grace >= needed.toSeconds() + (needed.toNanosPart() > 0 ? 1 : 0), where
                    + ": terminationGracePeriodSeconds " + grace + " < grace period plus drain timeout " + needed);
            Map<String, JsonNode> env = new LinkedHashMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
            assertEquals("status.podIP", env.getOrDefault("POD_IP", YAML.createObjectNode())
                    .path("valueFrom").path("fieldRef").path("fieldPath").asText(), where + ": POD_IP from status.podIP");
            assertTrue(args.contains("--server.advertised-host=$(POD_IP)"), where + " advertises the pod IP");
            for (String variable : MultiHostTest.DEPLOYED_ENVIRONMENT) {
                assertTrue(env.containsKey(variable), where + " sets " + variable);
            }
            for (String variable : USERS_IDENTITY_PROVIDER) {
                assertEquals("shop-identity-provider", env.getOrDefault(variable, YAML.createObjectNode())
                        .path("valueFrom").path("configMapKeyRef").path("name").asText(), where + " sets " + variable);
            }
            List<String> fromSecrets = new ArrayList<>();
            container.path("envFrom").forEach(e -> fromSecrets.add(e.path("secretRef").path("name").asText()));
            assertEquals(List.of(service + "-identity"), fromSecrets, where + " takes its identity from its Secret");
            for (String credential : List.of("MESSAGING_NATS_USER", "MESSAGING_NATS_PASSWORD")) {
                JsonNode ref = env.get(credential).path("valueFrom").path("secretKeyRef");
                assertTrue(ref.has("name") && ref.has("key") && !env.get(credential).has("value"),
                           where + ": " + credential + " comes from a Secret");
                secrets.add(ref.path("name").asText() + "/" + ref.path("key").asText());
            }
            JsonNode podSecurity = pod.path("securityContext");
            JsonNode containerSecurity = container.path("securityContext");
            assertTrue(podSecurity.path("runAsNonRoot").asBoolean() || containerSecurity.path("runAsNonRoot").asBoolean(),
                       where + ": runAsNonRoot");
            assertTrue(podSecurity.path("runAsUser").asInt(1) != 0 && containerSecurity.path("runAsUser").asInt(1) != 0,
                       where + ": runAsUser is not 0");
            assertEquals("false", containerSecurity.path("allowPrivilegeEscalation").asText(), where);
            JsonNode k8sService = k8sServices.get(service);
            assertTrue(k8sService != null, "deploy/k8s: a Service " + service);
            assertEquals(port, k8sService.path("spec").path("ports").path(0).path("port").asInt(),
                         "deploy/k8s Service " + service + " port");
            assertEquals(deployments.get(service).path("spec").path("template").path("metadata").path("labels"),
                         k8sService.path("spec").path("selector"), "deploy/k8s Service " + service + " selects its pods");
        }
        // One Secret, created as docs/deployment.md says.
        assertEquals(Set.of("nats-credentials/password", "nats-credentials/user"), secrets);
        String docs = Files.readString(reactor.root().resolve("docs/deployment.md"));
        assertTrue(docs.contains("kubectl create secret generic nats-credentials --from-literal=user=")
                           && docs.contains("--from-literal=password="), "docs/deployment.md creates the Secret");
    }

    @Test
    void kubernetesNatsIsAThreeNodeJetStreamClusterOnTheTestedConfigWithItsLoginFromTheSecret() throws IOException {
        JsonNode nats = resources("StatefulSet").get("nats");
        assertTrue(nats != null, "deploy/k8s: a StatefulSet nats");
        int replicas = nats.path("spec").path("replicas").asInt();
        assertEquals(3, replicas, "deploy/k8s nats replicas");
        String headless = nats.path("spec").path("serviceName").asText();
        assertEquals("None", resources("Service").get(headless).path("spec").path("clusterIP").asText(),
                     "deploy/k8s: " + headless + " is headless");
        JsonNode pod = nats.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").path(0);
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            routes.add("nats://nats-" + i + "." + headless + ":6222");
        }
        assertEquals(List.of("-c", "/etc/nats/nats.conf", "--name", "$(POD_NAME)", "--routes", String.join(",", routes),
                             "-sd", "/data"), texts(container.path("args")), "deploy/k8s nats args");
        String configMap = pod.path("volumes").findValue("configMap").path("name").asText();
        assertEquals(Files.readString(reactor.root().resolve(MultiHostTest.NATS_CONFIG)),
                     resources("ConfigMap").get(configMap).path("data").path("nats.conf").asText(),
                     "deploy/k8s ConfigMap " + configMap + " holds " + MultiHostTest.NATS_CONFIG);
        Map<String, String> secretRefs = new LinkedHashMap<>();
        container.path("env").forEach(e -> {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode()) {
                secretRefs.put(e.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        });
        assertEquals(Map.of("NATS_USER", "nats-credentials/user", "NATS_PASSWORD", "nats-credentials/password"),
                     secretRefs, "deploy/k8s nats: the login nats.conf refers to, from the Secret");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), "deploy/k8s nats: runAsNonRoot");
        String services = resources("Deployment").get("order-service").toString();
        assertTrue(services.contains(routes.stream().map(r -> r.replace(":6222", ":4222"))
                                             .collect(Collectors.joining(","))),
                   "the services connect to every node");
    }

    /** The shipped NATS config is valid for nats-server (when one is installed), with the flags the files add. */
    @Test
    void theNatsConfigIsValid() throws Exception {
        var binary = NatsServer.findBinary();
        org.junit.jupiter.api.Assumptions.assumeTrue(binary.isPresent(), "needs nats-server to check its config");
        ProcessBuilder check = new ProcessBuilder(binary.get().toString(), "-c",
                reactor.root().resolve(MultiHostTest.NATS_CONFIG).toString(), "--name", "n1",
                "--routes", "nats://n1:6222,nats://n2:6222", "-sd", Files.createTempDirectory("nats-check").toString(),
                "-t").redirectErrorStream(true);
        check.environment().put("NATS_USER", "shop");
        check.environment().put("NATS_PASSWORD", "secret");
        Process process = check.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), output);
    }

    /** Grace period plus drain timeout of a service: its own yaml, overridden by {@code --shutdown.*} arguments. */
    private static Duration shutdown(String service, List<String> args) throws IOException {
        JsonNode own = YAML.readTree(reactor.dir(service).resolve("src/main/resources/" + service + ".yaml").toFile())
                .path("shutdown");
        Duration grace = setting(args, "shutdown.grace-period", own.path("grace-period"), DEFAULT_GRACE);
        Duration drain = setting(args, "shutdown.drain-timeout", own.path("drain-timeout"), DEFAULT_DRAIN);
        return grace.plus(drain);
    }

    private static Duration setting(List<String> args, String key, JsonNode own, Duration fallback) {
        for (String arg : args) {
            if (arg.startsWith("--" + key + "=")) {
                return Duration.parse(arg.substring(key.length() + 3));
            }
        }
        return own.isMissingNode() ? fallback : Duration.parse(own.asText());
    }

    /** Every resource of a kind in deploy/k8s/*.yaml, by name. */
    private static Map<String, JsonNode> resources(String kind) throws IOException {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        try (var files = Files.list(reactor.root().resolve("deploy/k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && kind.equals(doc.path("kind").asText())) {
                            found.put(doc.path("metadata").path("name").asText(), doc);
                        }
                    }
                }
            }
        }
        return found;
    }

    private static List<String> instructions(String dockerfile, String instruction) {
        List<String> values = new ArrayList<>();
        for (String line : dockerfile.split("\n")) {
            if (line.startsWith(instruction + " ")) {
                values.add(line.substring(instruction.length() + 1).trim());
            }
        }
        return values;
    }

    /** The instructions of a kind, each with its continuation lines ({@code \\} at the end of a line) joined. */
    private static List<String> logicalInstructions(String dockerfile, String instruction) {
        return instructions(dockerfile.replaceAll("\\\\\\n\\s*", " "), instruction);
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
