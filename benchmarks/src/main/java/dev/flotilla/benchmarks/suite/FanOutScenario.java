package dev.flotilla.benchmarks.suite;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.benchmarks.RawJson;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRules;

/**
 * Scenario 7: a gateway call that calls three downstream services, each answering after 20 ms, and answers with
 * the three results. Flotilla: a service whose contract endpoint calls three typed clients, written as plain
 * blocking calls on three virtual threads. Raw: a bare Helidon server whose handler makes the same three calls with
 * raw WebClient on virtual threads. The downstreams are the same bare Helidon servers for both; the load generator
 * is the same raw WebClient at 100 and 1,000 concurrent callers. Also measures the heap an idle in-JVM service
 * takes, against an idle bare Helidon WebServer.
 */
final class FanOutScenario extends HarnessScenario {

    /** A downstream's answer. */
    public record Part(String name, int value) {
    }

    /** The gateway's answer. */
    public record Summary(List<Part> parts) {
    }

    /** A downstream's contract. */
    public interface PartApi {
        /**
         * The part.
         *
         * @return the part, after 20 ms
         */
        @Get("/part")
        Part part();
    }

    /** The gateway's contract. */
    public interface GatewayApi {
        /**
         * Calls three downstream services in parallel.
         *
         * @return their three parts
         */
        @Get("/summary")
        Summary summary();
    }

    static final long DOWNSTREAM_DELAY_MS = 20;
    private static final String[] DOWNSTREAMS = {"part-a", "part-b", "part-c"};

    /** The Flotilla gateway: plain blocking calls, one virtual thread each. */
    static final class GatewayService extends Service {
        GatewayService() {
            super("gateway", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            List<PartApi> parts = new ArrayList<>();
            for (String name : DOWNSTREAMS) {
                parts.add(context.client(PartApi.class, name));
            }
            rules.register(HttpContracts.serve(GatewayApi.class, () -> {
                try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Part>> calls = new ArrayList<>();
                    for (PartApi api : parts) {
                        calls.add(threads.submit(api::part));
                    }
                    List<Part> result = new ArrayList<>();
                    for (Future<Part> call : calls) {
                        result.add(call.get());
                    }
                    return new Summary(result);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
    }

    private final ObjectMapper mapper = RawJson.mapper();
    private final int[] callerCounts;
    private final List<WebServer> downstreams = new ArrayList<>();
    private final Map<String, String> opened = new TreeMap<>();
    private ServiceRuntime runtime;
    private WebServer rawGateway;
    private WebClient rawGatewayClient;
    private URI flotillaUri;
    private URI rawUri;
    private WebClient driverFlotilla;
    private WebClient driverRaw;

    FanOutScenario(int[] callerCounts, Duration window) {
        super(window);
        this.callerCounts = callerCounts.clone();
    }

    @Override
    void setUp() throws Exception {
        for (String name : DOWNSTREAMS) {
            byte[] body = mapper.writeValueAsBytes(new Part(name, name.charAt(name.length() - 1)));
            downstreams.add(WebServer.builder().port(0).host("127.0.0.1")
                                    .routing(r -> r.get("/part", (req, res) -> {
                                        Thread.sleep(DOWNSTREAM_DELAY_MS);
                                        res.header(HeaderValues.CONTENT_TYPE_JSON);
                                        res.send(body);
                                    }))
                                    .build().start());
        }
        Map<String, String> config = new HashMap<>(HttpServerScenario.LOCAL);
        for (int i = 0; i < DOWNSTREAMS.length; i++) {
            config.put("clients." + DOWNSTREAMS[i] + ".uris.0", "http://127.0.0.1:" + downstreams.get(i).port());
        }
        // The raw calls have no timeout; at 1,000 callers on 2 cores the calls queue for longer than the default
        // 2 s, and the breakers would open: that is the runtime protecting itself, not the overhead measured here.
        config.put("resilience.defaults.timeout.duration", "PT30S");
        runtime = ServiceRuntime.builder().addService(new GatewayService(), config).build();
        runtime.start();
        flotillaUri = runtime.service("gateway").uri();

        rawGatewayClient = WebClient.builder()
                .mediaContext(RawJson.media(mapper))
                .shareConnectionCache(false)
                .addProtocolPreference(List.of("http/1.1"))
                .build();
        List<URI> parts = downstreams.stream().map(s -> URI.create("http://127.0.0.1:" + s.port() + "/part")).toList();
        rawGateway = WebServer.builder().port(0).host("127.0.0.1")
                .routing(r -> r.get("/summary", (req, res) -> {
                    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                        List<Future<Part>> calls = new ArrayList<>();
                        for (URI part : parts) {
                            calls.add(threads.submit(() -> {
                                try (HttpClientResponse response = rawGatewayClient.get().uri(part).request()) {
                                    return response.as(Part.class);
                                }
                            }));
                        }
                        List<Part> result = new ArrayList<>();
                        for (Future<Part> call : calls) {
                            result.add(call.get());
                        }
                        res.header(HeaderValues.CONTENT_TYPE_JSON);
                        res.send(mapper.writeValueAsBytes(new Summary(result)));
                    }
                }))
                .build().start();
        rawUri = URI.create("http://127.0.0.1:" + rawGateway.port());
        driverFlotilla = driver(flotillaUri);
        driverRaw = driver(rawUri);
        String a = get(driverFlotilla);
        String b = get(driverRaw);
        if (!mapper.readTree(a).equals(mapper.readTree(b))) {
            throw new IllegalStateException("the two gateways answer differently: " + a + " vs " + b);
        }
    }

    private static String get(WebClient client) {
        try (HttpClientResponse response = client.get("/summary").request()) {
            if (response.status().code() != 200) {
                throw new IllegalStateException("status " + response.status());
            }
            return response.as(String.class);
        }
    }

    /**
     * One side after the other, each for the whole window: the paced runs need whole cycles (a caller calls once a
     * second at 1,000 callers), and at 1,000 callers a slice would be mostly the ramp of the callers' first calls.
     */
    @Override
    void measureBoth(Side first, Side second) throws Exception {
        measure(first);
        measure(second);
    }

    private void measure(Side side) throws Exception {
        WebClient client = side == Side.RAW ? driverRaw : driverFlotilla;
        for (int callers : callerCounts) {
            Set<String> before = downstreamConnections();
            ClosedLoop.Load load = ClosedLoop.run(callers, window, () -> get(client));
            Set<String> after = downstreamConnections();
            after.removeAll(before);
            long calls = Math.max(1, load.calls() * DOWNSTREAMS.length);
            opened.merge(side.key() + " at " + callers, after.size() + " (" + (after.size() * 100 / calls) + ")",
                         (a, b) -> Integer.parseInt(a.split(" ")[0]) >= Integer.parseInt(b.split(" ")[0]) ? a : b);
            report("7.saturated-p50." + callers, side, millis(load.p50Nanos()));
            report("7.throughput." + callers, side, load.throughput());
        }
        for (int callers : callerCounts) {
            ClosedLoop.Load load = ClosedLoop.paced(callers, pacingCycle(callers), window, () -> get(client));
            report("7.p50." + callers, side, millis(load.p50Nanos()));
        }
    }

    /**
     * The cycle of each caller in the paced runs: {@value #PACED_RATE} gateway calls per second in all (three times as
     * many downstream calls), a load the 2-core machine carries with room to spare, so the p50 shows what the code
     * adds to the slowest downstream call rather than how long calls queue for a saturated CPU.
     */
    static Duration pacingCycle(int callers) {
        return Duration.ofNanos(1_000_000_000L * callers / PACED_RATE);
    }

    static final int PACED_RATE = 1_000;

    private Set<String> downstreamConnections() {
        Set<String> all = new HashSet<>();
        for (WebServer s : downstreams) {
            Set<String> one = connectionSet(s.port());
            if (one != null) {
                all.addAll(one);
            }
        }
        return all;
    }

    @Override
    void finish() throws Exception {
        note("7.throughput." + callerCounts[callerCounts.length - 1],
             "HTTP/1.1; connections opened to the gateways over the whole run: Flotilla "
                     + connections(flotillaUri.getPort()) + ", raw " + connections(rawUri.getPort())
                     + "; most connections the gateway opened to the three downstreams in one window, and per 100 "
                     + "downstream calls: " + opened);
    }

    /**
     * Heap per idle service, in a JVM that has run no load: twenty Flotilla services in one runtime against twenty
     * bare WebServers, alternately for the given rounds after a warm-up round (so one-time class initialization
     * is not counted). Writes the {@code 7.heap} figures in KiB per service.
     */
    static void idleHeap(int rounds) throws Exception {
        int n = 20;
        for (int round = 0; round <= rounds; round++) { // round 0 warms up and is not reported
            long before = usedHeapAfterGc();
            List<WebServer> bare = bareServers(n);
            long bareHeap = usedHeapAfterGc() - before;
            bare.forEach(WebServer::stop);
            before = usedHeapAfterGc();
            ServiceRuntime idle = flotillaServices(n);
            long flotillaHeap = usedHeapAfterGc() - before;
            idle.stop();
            if (round == 0) {
                continue;
            }
            System.out.printf(java.util.Locale.ROOT, "MEASURE\t7.heap\t%d\traw\t%.1f%n", round, bareHeap / 1024.0 / n);
            System.out.printf(java.util.Locale.ROOT, "MEASURE\t7.heap\t%d\tflotilla\t%.1f%n", round,
                              flotillaHeap / 1024.0 / n);
        }
        note("7.heap", "used heap after full GCs in a JVM that ran no load: " + n + " idle services with one "
                + "contract endpoint in one runtime (in-JVM messaging) vs " + n + " idle bare WebServers with one "
                + "route, divided by " + n);
    }

    private static List<WebServer> bareServers(int n) {
        List<WebServer> bare = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bare.add(WebServer.builder().port(0).host("127.0.0.1")
                             .routing(r -> r.get("/part", (req, res) -> res.send("x"))).build().start());
        }
        return bare;
    }

    private static ServiceRuntime flotillaServices(int n) {
        ServiceRuntime.Builder builder = ServiceRuntime.builder();
        for (int i = 0; i < n; i++) {
            int index = i;
            builder.addService(new Service("idle-" + i, "1.0.0") {
                @Override
                protected void routes(HttpRules rules, ServiceContext context) {
                    rules.register(HttpContracts.serve(PartApi.class, () -> new Part("idle", index)));
                }
            }, HttpServerScenario.LOCAL);
        }
        ServiceRuntime idle = builder.build();
        idle.start();
        return idle;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50); // lets reference processing and finalization settle between collections
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Override
    public void close() {
        driverFlotilla.closeResource();
        driverRaw.closeResource();
        rawGatewayClient.closeResource();
        rawGateway.stop();
        runtime.stop();
        downstreams.forEach(WebServer::stop);
    }
}
