package dev.flotilla.benchmarks.http;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.benchmarks.RawJson;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;

/**
 * Diagnostic companion of scenarios 0 and 1: heap allocated per call by the whole JVM (client and server in one
 * process), Flotilla against raw, with the same load on both sides. Unlike throughput and latency, bytes per call do
 * not depend on what else runs on the machine, so the figure is stable on a shared, busy box.
 * <ul>
 *   <li>{@code server}: the same raw-WebClient driver against the contract endpoint of a Flotilla service and
 *   against a bare Helidon handler writing the same JSON; the difference is the server side's overhead.</li>
 *   <li>{@code client}: the typed client against raw Helidon WebClient, both calling the same Flotilla service; the
 *   difference is the client side's overhead (and what its extra headers cost the server).</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.http.AllocationPerCall [callers] [calls] [rounds]
 * </pre>
 */
public final class AllocationPerCall {
    private AllocationPerCall() {
    }

    /**
     * Runs both comparisons and prints the median bytes per call of each side.
     *
     * @param args callers (default 8), calls per round (default 40000), rounds (default 3)
     * @throws Exception if a call fails
     */
    public static void main(String[] args) throws Exception {
        int callers = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ObjectMapper mapper = RawJson.mapper();
        ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new TypedClientBenchmark.PriceService(),
                            Map.of("server.port", "0", "server.host", "127.0.0.1", "shutdown.grace-period", "PT0S"))
                .build();
        runtime.start();
        URI flotilla = runtime.service("price-service").uri();
        WebServer bare = WebServer.builder().port(0).host("127.0.0.1")
                .routing(r -> r.get("/v1/prices/{id}", (req, res) -> {
                    long id = Long.parseLong(req.path().pathParameters().get("id"));
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send(mapper.writeValueAsBytes(new TypedClientBenchmark.PriceApi.Price(id, "EUR", 1999)));
                }))
                .build()
                .start();
        WebClient toFlotilla = raw(flotilla, mapper);
        WebClient toBare = raw(URI.create("http://127.0.0.1:" + bare.port()), mapper);
        ServiceClients clients = ServiceClients.builder()
                .discovery(StaticDiscovery.of(Map.of("price-service", List.of(flotilla))))
                .build();
        TypedClientBenchmark.PriceApi typed = clients.create(TypedClientBenchmark.PriceApi.class, "price-service");
        Map<String, Callable<Object>> sides = new java.util.LinkedHashMap<>();
        sides.put("server: bare handler", () -> get(toBare));
        sides.put("server: Flotilla endpoint", () -> get(toFlotilla));
        sides.put("client: raw WebClient", () -> get(toFlotilla));
        sides.put("client: typed client", () -> typed.price(42));
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> results = new TreeMap<>();
        try {
            for (int round = -2; round < rounds; round++) {
                for (Map.Entry<String, Callable<Object>> side : sides.entrySet()) {
                    System.gc();
                    long before = threads.getTotalThreadAllocatedBytes();
                    List<Future<?>> running = new ArrayList<>();
                    for (int c = 0; c < callers; c++) {
                        running.add(pool.submit(() -> {
                            for (int i = 0; i < calls / callers; i++) {
                                side.getValue().call();
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : running) {
                        f.get();
                    }
                    double perCall = (threads.getTotalThreadAllocatedBytes() - before) / (double) calls;
                    if (round >= 0) {
                        results.computeIfAbsent(side.getKey(), k -> new ArrayList<>()).add(perCall);
                    }
                }
            }
        } finally {
            pool.shutdown();
            clients.close();
            toFlotilla.closeResource();
            toBare.closeResource();
            bare.stop();
            runtime.stop();
        }
        results.forEach((side, values) -> {
            Collections.sort(values);
            System.out.printf("%-28s %,10.0f B/call (median of %s)%n", side, values.get(values.size() / 2), values);
        });
    }

    private static WebClient raw(URI base, ObjectMapper mapper) {
        return WebClient.builder().baseUri(base).mediaContext(RawJson.media(mapper))
                .shareConnectionCache(false).build();
    }

    private static TypedClientBenchmark.PriceApi.Price get(WebClient client) {
        try (HttpClientResponse response = client.get("/v1/prices/42").request()) {
            return response.as(TypedClientBenchmark.PriceApi.Price.class);
        }
    }
}
