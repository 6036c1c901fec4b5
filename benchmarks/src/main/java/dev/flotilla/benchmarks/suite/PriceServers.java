package dev.flotilla.benchmarks.suite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.benchmarks.RawJson;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;

/**
 * The servers of scenarios 0 and 1, in a JVM of their own so that the load generator does not share their
 * virtual-thread scheduler (as with wrk or any load tool, the server process runs only the server): the Flotilla
 * service with the contract endpoint ({@link HttpServerScenario.PriceService}) and a bare Helidon WebServer whose
 * routing handler writes the same JSON with the same mapper.
 *
 * <p>Why a process of its own: a load tool runs apart from the server it measures, and in one JVM the callers'
 * virtual threads and the servers' share two carrier threads that switch only when a thread blocks, so the callers'
 * latency also measured how long the servers kept those carriers around each request. With the load generator in the
 * servers' JVM the contract endpoint's p99 was 1.38 – 1.53x the bare handler's (interleaved runs); with the servers
 * here, 1.01 – 1.17x.
 *
 * <p>{@code main} prints {@code PORTS <flotilla> <bare>} and serves until its standard input closes, so it never
 * outlives the harness that {@link #fork forked} it; for each line {@code cpu} it reads, it answers
 * {@code CPU <nanoseconds>}: the CPU time its JVM has used so far, so that the harness can count the servers' CPU per
 * request ({@link #cpuNanos()}).
 */
final class PriceServers implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    /** The Flotilla service's base URI. */
    final URI flotilla;
    /** The bare WebServer's base URI. */
    final URI bare;

    private PriceServers(Process process, BufferedReader out, URI flotilla, URI bare) {
        this.process = process;
        this.out = out;
        this.flotilla = flotilla;
        this.bare = bare;
    }

    /**
     * Starts the servers in a JVM forked with {@link Suite#JVM_ARGS} and waits until both listen.
     *
     * @throws IOException when the JVM cannot be started or ends before it reports its ports
     */
    static PriceServers fork() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Suite.JVM_ARGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PriceServers.class.getName()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[0].equals("PORTS")) {
                return new PriceServers(process, out, URI.create("http://127.0.0.1:" + f[1]),
                                        URI.create("http://127.0.0.1:" + f[2]));
            }
        }
        process.destroyForcibly();
        throw new IOException("the server JVM ended without reporting its ports");
    }

    /**
     * The CPU time the servers' JVM has used so far (all its threads: the servers, their GC, their JIT).
     *
     * @return nanoseconds
     * @throws UncheckedIOException when the servers' JVM does not answer
     */
    long cpuNanos() {
        try {
            process.getOutputStream().write("cpu\n".getBytes(StandardCharsets.US_ASCII));
            process.getOutputStream().flush();
            String line = out.readLine();
            if (line == null || !line.startsWith("CPU ")) {
                throw new IOException("the server JVM answered '" + line + "'");
            }
            return Long.parseLong(line.substring(4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the servers' standard input and waits for their JVM to end (at most 10 s, then kills it). */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroy();
        }
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /**
     * Runs both servers until standard input closes.
     *
     * @param args none
     * @throws Exception when a server cannot start
     */
    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = RawJson.mapper();
        ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new HttpServerScenario.PriceService(), HttpServerScenario.LOCAL)
                .build();
        runtime.start();
        WebServer bare = WebServer.builder()
                .port(0)
                .host("127.0.0.1")
                .routing(r -> r.get("/v1/prices/{id}", (req, res) -> {
                    long id = Long.parseLong(req.path().pathParameters().get("id"));
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send(mapper.writeValueAsBytes(new HttpServerScenario.PriceApi.Price(id, "EUR", 1999)));
                }))
                .build()
                .start();
        System.out.println("PORTS " + runtime.service("price-service").uri().getPort() + " " + bare.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        String line;
        while ((line = in.readLine()) != null) { // until the harness closes our standard input (or dies)
            if (line.equals("cpu")) {
                System.out.println("CPU " + os.getProcessCpuTime());
                System.out.flush();
            }
        }
        bare.stop();
        runtime.stop();
        System.exit(0);
    }
}
